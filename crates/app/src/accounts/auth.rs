//! 登录与会话 — login with lockout, sessions, and who is asking.

use crate::{Actor, App, AppError, accounts::passwords, infra::secrets};
use linli_domain::access::Grant;
use linli_domain::accounts::session::SessionCheck;
use linli_domain::accounts::{LockState, Username};
use linli_domain::audit::{AuditEvent, Outcome};
use linli_domain::secret::{Secret, sm3_hex};
use linli_store::accounts::{second_factor, sessions, throttle, tokens, users};
use linli_store::audit;

/// How a request proved who it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// A browser session; the hash identifies the stored session.
    Session { id_hash: String },
    /// A personal access token.
    Token { token_id: i64 },
}

/// The authenticated user of a request.
#[derive(Debug, Clone)]
pub struct Principal {
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub grants: Vec<Grant>,
    pub must_change_password: bool,
    pub last_login_at: Option<linli_domain::time::UnixMs>,
    pub credential: Credential,
    /// reads the site in 长辈版 (larger type and targets)
    pub elder: bool,
}

impl Principal {
    /// The operator at the server's command line: whoever can run the
    /// binary against the database already holds all of it, so the CLI
    /// acts as system administrator over the country (audited as `cli`).
    pub fn cli() -> Principal {
        Principal {
            user_id: 0,
            username: "cli".to_owned(),
            display_name: "命令行".to_owned(),
            grants: vec![linli_domain::access::Grant {
                role: linli_domain::access::Role::SystemAdmin,
                scope: linli_domain::access::RegionCode::country(),
            }],
            must_change_password: false,
            last_login_at: None,
            credential: Credential::Token { token_id: 0 },
            elder: false,
        }
    }

    /// The operator at the command line for the registry's bulk verbs
    /// (import, export, key rotation): the system administrator may not
    /// read personal data (三权分立), so these run as a community
    /// secretary over the country, audited as `cli`.
    pub fn cli_registry() -> Principal {
        Principal {
            grants: vec![linli_domain::access::Grant {
                role: linli_domain::access::Role::CommunitySecretary,
                scope: linli_domain::access::RegionCode::country(),
            }],
            ..Principal::cli()
        }
    }

    pub fn actor(&self, source: &str) -> Actor {
        Actor {
            id: Some(self.user_id),
            name: self.username.clone(),
            source: source.to_owned(),
        }
    }
}

/// A successful login: the cookie secret of the new session.
#[derive(Debug)]
pub struct LoginOk {
    pub session_secret: Secret,
    pub must_change_password: bool,
    /// the account has a second factor: the session waits for it
    pub second_factor: bool,
}

/// The prefix of personal access tokens, so that secret scanners and
/// people recognise them.
pub const TOKEN_PREFIX: &str = "linli_pat_";

fn login_event(
    name: &str,
    id: Option<i64>,
    outcome: Outcome,
    source: &str,
    detail: &str,
) -> AuditEvent {
    AuditEvent {
        actor_id: id,
        actor_name: name.to_owned(),
        action: "auth.login".to_owned(),
        object: id.map(|i| format!("user:{i}")).unwrap_or_default(),
        outcome,
        source: source.to_owned(),
        detail: detail.to_owned(),
    }
}

impl App {
    /// Checks a user name and password. Unknown users, wrong passwords,
    /// locked and disabled accounts are all audited; the answer for an
    /// unknown user is the same as for a wrong password.
    pub async fn login(
        &self,
        username: &str,
        password: &Secret,
        source: &str,
    ) -> Result<LoginOk, AppError> {
        let now = crate::now();
        let policy = self.config.lockout;
        let typed: String = username.trim().chars().take(64).collect();
        let parsed = typed.parse::<Username>().ok();
        let name = parsed
            .as_ref()
            .map_or_else(|| typed.to_lowercase(), |n| n.as_str().to_owned());
        // failures count per (name, source), for names that exist and names
        // that do not alike: the answers never tell which, and a lock holds
        // only the source that earned it
        let key = sm3_hex(format!("{name}\n{source}").as_bytes());
        let held = throttle::get(&mut *self.db.conn().await?, &key).await?;
        if policy.is_locked(held, now) {
            self.audit_alone(login_event(&name, None, Outcome::Denied, source, "locked"))
                .await?;
            return Err(locked_error(held.locked_until.map(|t| t.secs_since(now))));
        }
        let record = match &parsed {
            Some(n) => users::find_for_login(&mut *self.db.conn().await?, n.as_str()).await?,
            None => None,
        };
        // an unknown name costs the same hashing time as a known one
        let hash = record.as_ref().map(|r| r.password_hash.clone());
        let verified = passwords::verify(password, hash).await? && record.is_some();
        let Some(record) = record.filter(|_| verified) else {
            let mut tx = self.db.begin().await?;
            // re-read inside the write transaction so concurrent failures all count
            let next = policy.after_failure(throttle::get(&mut tx, &key).await?, now);
            throttle::put(&mut tx, &key, &name, next, now).await?;
            let known = match &parsed {
                Some(n) => users::find_for_login(&mut tx, n.as_str()).await?,
                None => None,
            };
            if let Some(k) = &known {
                // shown to administrators; it locks nothing by itself
                let seen = LockState {
                    failed_logins: k.lock.failed_logins.saturating_add(1),
                    ..LockState::default()
                };
                users::set_lock_state(&mut tx, k.id, seen).await?;
            }
            let why = if known.is_some() {
                "bad_password"
            } else {
                "unknown_user"
            };
            let detail = if next.locked_until.is_some() {
                format!("{why}; locked")
            } else {
                why.to_owned()
            };
            audit::append(
                &mut tx,
                login_event(&name, known.map(|k| k.id), Outcome::Failed, source, &detail),
                now,
            )
            .await?;
            tx.commit().await?;
            return Err(match next.locked_until {
                Some(until) => locked_error(Some(until.secs_since(now))),
                None => AppError::BadCredentials,
            });
        };
        let id = Some(record.id);
        if record.disabled {
            self.audit_alone(login_event(
                name.as_str(),
                id,
                Outcome::Denied,
                source,
                "disabled",
            ))
            .await?;
            return Err(AppError::Disabled);
        }
        let secret = secrets::random_hex_256()?;
        let mut tx = self.db.begin().await?;
        users::record_login(&mut tx, record.id, now).await?;
        let id_hash = sm3_hex(secret.expose().as_bytes());
        sessions::insert(&mut tx, &id_hash, record.id, now).await?;
        let second_factor = second_factor::state(&mut tx, record.id).await?.0.is_some();
        if second_factor {
            second_factor::set_session_pending(&mut tx, &id_hash, true).await?;
        }
        throttle::clear(&mut tx, &key).await?;
        audit::append(
            &mut tx,
            login_event(name.as_str(), id, Outcome::Ok, source, ""),
            now,
        )
        .await?;
        tx.commit().await?;
        let user = users::find(&mut *self.db.conn().await?, record.id)
            .await?
            .ok_or(AppError::NotFound)?;
        Ok(LoginOk {
            session_secret: secret,
            must_change_password: user.must_change_password,
            second_factor,
        })
    }

    /// Turns 长辈版 on or off for the caller's account.
    pub async fn set_elder_mode(&self, who: &Principal, on: bool) -> Result<(), AppError> {
        users::set_elder_mode(&mut *self.db.conn().await?, who.user_id, on).await?;
        Ok(())
    }

    /// Ends the session whose cookie secret is `secret`.
    pub async fn logout(&self, principal: &Principal, source: &str) -> Result<(), AppError> {
        let Credential::Session { id_hash } = &principal.credential else {
            return Ok(());
        };
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        sessions::delete(&mut tx, id_hash).await?;
        let event = AuditEvent {
            actor_id: Some(principal.user_id),
            actor_name: principal.username.clone(),
            action: "auth.logout".to_owned(),
            object: format!("user:{}", principal.user_id),
            outcome: Outcome::Ok,
            source: source.to_owned(),
            detail: String::new(),
        };
        audit::append(&mut tx, event, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The user behind a session cookie, if the session is live and the
    /// account enabled. Expired sessions are removed on sight.
    pub async fn principal_from_session(
        &self,
        secret: &str,
    ) -> Result<Option<Principal>, AppError> {
        self.session_principal(secret, true).await
    }

    /// [`App::principal_from_session`]; `activity` false for what the page
    /// does on its own (the inbox stream, background polls), which must not
    /// keep an abandoned session alive past its idle timeout.
    pub async fn session_principal(
        &self,
        secret: &str,
        activity: bool,
    ) -> Result<Option<Principal>, AppError> {
        let now = crate::now();
        let id_hash = sm3_hex(secret.as_bytes());
        let mut conn = self.db.conn().await?;
        let Some(s) = sessions::find(&mut conn, &id_hash).await? else {
            return Ok(None);
        };
        match self.config.session.check(s.created_at, s.last_seen_at, now) {
            SessionCheck::Expired => {
                sessions::delete(&mut conn, &id_hash).await?;
                return Ok(None);
            }
            SessionCheck::Live { touch: true } if activity => {
                sessions::touch(&mut conn, &id_hash, now).await?;
            }
            SessionCheck::Live { .. } => {}
        }
        self.principal(&mut conn, s.user_id, Credential::Session { id_hash })
            .await
    }

    /// The user behind a personal access token, if it is active and the
    /// account enabled.
    pub async fn principal_from_token(&self, token: &str) -> Result<Option<Principal>, AppError> {
        if !token.starts_with(TOKEN_PREFIX) {
            return Ok(None);
        }
        let now = crate::now();
        let mut conn = self.db.conn().await?;
        let Some(t) = tokens::find_active(&mut conn, &sm3_hex(token.as_bytes())).await? else {
            return Ok(None);
        };
        if t.last_used_at
            .is_none_or(|seen| now.secs_since(seen) >= self.config.session.touch_every_secs)
        {
            tokens::touch(&mut conn, t.id, now).await?;
        }
        self.principal(&mut conn, t.user_id, Credential::Token { token_id: t.id })
            .await
    }

    async fn principal(
        &self,
        conn: &mut linli_store::Conn,
        user_id: i64,
        credential: Credential,
    ) -> Result<Option<Principal>, AppError> {
        let Some((u, grants)) = users::find_with_grants(conn, user_id).await? else {
            return Ok(None);
        };
        if u.disabled {
            return Ok(None);
        }
        let elder = users::elder_mode(conn, user_id).await?;
        Ok(Some(Principal {
            elder,
            user_id,
            username: u.username,
            display_name: u.display_name,
            grants,
            must_change_password: u.must_change_password,
            last_login_at: u.last_login_at,
            credential,
        }))
    }

    /// Removes sessions past their timeouts (run now and then by the server).
    pub async fn purge_expired_sessions(&self) -> Result<u64, AppError> {
        let now = crate::now();
        let p = self.config.session;
        let mut conn = self.db.conn().await?;
        Ok(sessions::delete_expired(
            &mut conn,
            now.plus_secs(-p.idle_secs),
            now.plus_secs(-p.absolute_secs),
        )
        .await?)
    }

    /// Appends one audit record in a transaction of its own.
    pub(crate) async fn audit_alone(&self, event: AuditEvent) -> Result<(), AppError> {
        let mut tx = self.db.begin().await?;
        audit::append(&mut tx, event, crate::now()).await?;
        tx.commit().await?;
        Ok(())
    }
}

fn locked_error(secs_left: Option<i64>) -> AppError {
    let minutes = (secs_left.unwrap_or(0).max(1) + 59) / 60;
    AppError::Locked { minutes }
}
