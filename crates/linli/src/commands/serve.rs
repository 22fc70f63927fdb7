//! `linli serve` and `linli demo`: the server with its background sweeps.

use crate::cli::{DataArgs, KeyArgs, ServeArgs};
use crate::context::photo_store;
use crate::context::{keyring, open};
use anyhow::{Context, Result};
use linli_app::infra::crypto::FieldCrypto;
use linli_app::{App, AppConfig, Blobs, Db};
use linli_domain::accounts::LockoutPolicy;
use linli_domain::accounts::session::SessionPolicy;
use linli_web::{Footer, WebConfig};
use std::net::SocketAddr;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

/// `linli serve`: the server over the data directory or database named.
pub async fn serve(data: &DataArgs, s: ServeArgs) -> Result<ExitCode> {
    let db = open(data).await?;
    let blobs = photo_store(&data.data)?;
    serve_on(db, Arc::new(keyring(data)?), blobs, s, None).await
}

pub async fn demo(dir: &Path, database_url: Option<String>, serve: ServeArgs) -> Result<ExitCode> {
    let fresh = !dir.join("linli.db").exists();
    let args = DataArgs {
        database_url,
        data: dir.to_path_buf(),
        keys: KeyArgs {
            key_file: None,
            field_cipher: "sm4-gcm".into(),
        },
    };
    let db = open(&args).await?;
    let ring: Arc<dyn FieldCrypto> = Arc::new(keyring(&args)?);
    let app = App::new(db.clone(), AppConfig::default()).with_crypto(ring.clone());
    let banner = match app.ensure_demo_admin().await? {
        Some(pw) => format!(
            "管理员用户名: admin\n一次性密码: {}  (首次登录后须修改)",
            pw.expose()
        ),
        None => "管理员用户名: admin (密码为首次启动时打印的密码,或您修改后的密码)".to_owned(),
    };
    let seeded = match app.seed_demo_community().await? {
        Some(accounts) => {
            let mut lines = vec![format!(
                "演示社区: 吉林省长春市宽城区团山街道长山花园社区 ({})",
                linli_app::demo::COMMUNITY
            )];
            for (user, what, pw) in accounts {
                lines.push(format!("  {what}: 用户名 {user}  密码 {}", pw.expose()));
            }
            lines.join("\n")
        }
        None => format!(
            "演示社区: 长山花园社区 ({}),账号 shuji / wangge1 / wangge2 / tuanshan(密码见首次启动时的输出)",
            linli_app::demo::COMMUNITY
        ),
    };
    let people = match app.seed_demo_residents().await? {
        Some(n) => format!("演示居民: {n} 人(身份证号为虚构,校验位有效)"),
        None => String::new(),
    };
    let cases = match app.seed_demo_cases().await? {
        Some(n) => format!("演示诉求: 近一年 {n} 件(看板: /dashboard)"),
        None => String::new(),
    };
    let votes = match app.seed_demo_votes().await? {
        Some(n) => format!("演示业主表决: {n} 项(/votes)"),
        None => String::new(),
    };
    let volunteering = match app.seed_demo_volunteering().await? {
        Some((n, accounts)) => {
            let mut lines = vec![format!("演示志愿服务: {n} 名志愿者(/volunteer)")];
            for (user, what, pw) in accounts {
                lines.push(format!("  {what}: 用户名 {user}  密码 {}", pw.expose()));
            }
            lines.join("\n")
        }
        None => String::new(),
    };
    let partners = match app.seed_demo_partners().await? {
        Some((n, accounts)) => {
            let mut lines = vec![format!("演示共建单位: {n} 家(/partners)")];
            for (user, what, pw) in accounts {
                lines.push(format!("  {what}: 用户名 {user}  密码 {}", pw.expose()));
            }
            lines.join("\n")
        }
        None => String::new(),
    };
    let banner =
        format!("{banner}\n{seeded}\n{people}\n{cases}\n{votes}\n{volunteering}\n{partners}");
    let what = if fresh {
        "新建演示数据目录"
    } else {
        "使用已有演示数据目录"
    };
    serve_on(
        db,
        ring,
        photo_store(dir)?,
        serve,
        Some(format!("{what}: {}\n{banner}", dir.display())),
    )
    .await
}

/// `demo`: a tryout, where the second factor is each user's choice unless
/// `--second-factor required` says otherwise; a real deployment requires it.
fn app_config(s: &ServeArgs, demo: bool) -> Result<AppConfig> {
    use linli_app::accounts::second_factor::SecondFactorPolicy;
    let second_factor = match s.second_factor.as_deref() {
        Some("required") => SecondFactorPolicy::Required,
        Some("optional") => SecondFactorPolicy::Optional,
        None if demo => SecondFactorPolicy::Optional,
        None => SecondFactorPolicy::Required,
        Some(other) => anyhow::bail!("--second-factor: required or optional, not {other}"),
    };
    Ok(AppConfig {
        second_factor,
        lockout: LockoutPolicy {
            max_failures: s.lockout_failures.max(1),
            lock_secs: s.lockout_minutes.max(1) * 60,
            ..LockoutPolicy::default()
        },
        session: SessionPolicy {
            idle_secs: s.session_idle_minutes.max(1) * 60,
            absolute_secs: s.session_absolute_hours.max(1) * 3600,
            ..SessionPolicy::default()
        },
        ..AppConfig::default()
    })
}

/// The footer lines; the demo names its made-up community when none are given.
fn footer(s: &ServeArgs, demo: bool) -> Footer {
    let given = |v: &Option<String>| v.clone().filter(|t| !t.trim().is_empty());
    let mut f = Footer {
        host: given(&s.footer_host),
        support: given(&s.footer_support),
        hotline: given(&s.footer_hotline),
    };
    if demo && f.host.is_none() {
        f.host = Some("长山花园社区居民委员会(演示)".to_owned());
        f.support.get_or_insert_with(|| "邻里 linli".to_owned());
        f.hotline.get_or_insert_with(|| "12345".to_owned());
    }
    f
}

async fn serve_on(
    db: Db,
    ring: Arc<dyn FieldCrypto>,
    blobs: Blobs,
    s: ServeArgs,
    banner: Option<String>,
) -> Result<ExitCode> {
    let app = App::new(db, app_config(&s, banner.is_some())?)
        .with_crypto(ring)
        .with_blobs(blobs);
    let web = WebConfig {
        secure_cookies: s.secure_cookies,
        body_limit: s.body_limit,
        login_per_minute: s.login_per_minute,
        tile_url: s.tile_url.clone().filter(|t| !t.is_empty()),
        media_hosts: s.media_hosts.clone(),
        metrics_token: s.metrics_token.clone().filter(|t| !t.is_empty()),
        trusted_proxies: s.trusted_proxies.clone(),
        footer: footer(&s, banner.is_some()),
        ..WebConfig::default()
    };
    let listener = tokio::net::TcpListener::bind(&s.listen)
        .await
        .with_context(|| format!("cannot listen on {}", s.listen))?;
    let addr = listener.local_addr()?;
    println!("邻里 linli 已启动: http://{addr}/");
    if let Some(b) = banner {
        println!("{b}");
    }
    tracing::info!(%addr, backend = ?app.db().backend(), "listening");

    let purger = app.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(600));
        loop {
            every.tick().await;
            match purger.purge_expired_sessions().await {
                Ok(n) if n > 0 => tracing::info!(removed = n, "expired sessions purged"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "session purge failed"),
            }
            // photo files of requests that failed after writing them
            if let Err(e) = purger.sweep_orphan_photos(3600).await {
                tracing::warn!(error = %e, "orphan photo sweep failed");
            }
        }
    });

    let sweeper = app.clone();
    tokio::spawn(async move {
        // 临期 / 超期 warnings and late 报到 reminders, once a minute
        let mut every = tokio::time::interval(Duration::from_secs(60));
        loop {
            every.tick().await;
            match sweeper.sweep_deadlines(linli_app::now()).await {
                Ok(r) if r != Default::default() => tracing::info!(
                    near_due = r.near_due,
                    overdue = r.overdue,
                    late_calls = r.late_calls,
                    "deadline warnings sent"
                ),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "deadline sweep failed"),
            }
        }
    });

    if let Some(url) = s.webhook_url.as_deref().filter(|u| !u.is_empty()) {
        let hook =
            linli_web::notifications::webhook::Webhook::new(url, s.webhook_secret.as_deref())
                .map_err(anyhow::Error::msg)?;
        tokio::spawn(pump_webhook(app.clone(), hook));
    }

    let router = linli_web::router(app.clone(), web);
    axum_serve(listener, router).await?;
    app.db().close().await;
    Ok(ExitCode::SUCCESS)
}

/// Sends new notifications to the webhook whenever the bell rings (and
/// every 30 s regardless); a failing gateway is retried with backoff up
/// to five minutes, the undelivered batch kept.
async fn pump_webhook(app: App, hook: linli_web::notifications::webhook::Webhook) {
    let mut bell = app.bell();
    let mut backoff = Duration::from_secs(1);
    loop {
        match app.pump_outbound(&hook).await {
            Ok(n) => {
                if n > 0 {
                    tracing::info!(sent = n, "webhook delivered");
                }
                backoff = Duration::from_secs(1);
                let _ = tokio::time::timeout(Duration::from_secs(30), bell.changed()).await;
            }
            Err(e) => {
                tracing::warn!(error = %e, retry_in = ?backoff, "webhook failed");
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(300));
            }
        }
    }
}

/// Serves until SIGINT/SIGTERM; then lets requests finish for at most
/// ten seconds (a live event stream would otherwise hold the exit for
/// up to its ten-minute life).
async fn axum_serve(listener: tokio::net::TcpListener, router: axum::Router) -> Result<()> {
    let (stop, mut stopping) = tokio::sync::watch::channel(false);
    let server = axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        shutdown_signal().await;
        let _ = stop.send(true);
    });
    tokio::select! {
        r = server => r.context("server failed"),
        () = async {
            let _ = stopping.wait_for(|s| *s).await;
            tokio::time::sleep(Duration::from_secs(10)).await;
        } => {
            tracing::info!("requests still open after 10 s: stopping anyway");
            Ok(())
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { () = ctrl_c => {}, () = term => {} }
    tracing::info!("shutting down");
}
