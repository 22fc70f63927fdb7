//! 账号管理 — creating accounts, granting roles, passwords, access tokens.

pub mod admin;
pub mod auth;
pub(crate) mod passwords;
pub mod second_factor;

use crate::accounts::auth::{Credential, Principal, TOKEN_PREFIX};
use crate::infra::secrets;
use crate::{Actor, App, AppError, event};
use linli_domain::access::{Grant, RegionCode, Role};
use linli_domain::accounts::{PasswordPolicy, Username, parse_display_name};
use linli_domain::secret::{Secret, sm3_hex};
use linli_store::accounts::tokens::NewToken;
pub use linli_store::accounts::tokens::TokenRecord;
use linli_store::accounts::users::NewUser;
use linli_store::{accounts::sessions, accounts::tokens, accounts::users, audit};

/// A new account as asked for (from the CLI or, later, an admin page).
#[derive(Debug)]
pub struct NewAccount {
    pub username: String,
    pub display_name: Option<String>,
    pub password: Secret,
    pub grants: Vec<Grant>,
    /// Ask for a new password at first login (one-time passwords).
    pub must_change_password: bool,
}

/// A token as shown once, at creation.
#[derive(Debug)]
pub struct IssuedToken {
    pub id: i64,
    pub secret: Secret,
}

/// Staff rules apply when any role is a staff role.
pub(crate) fn policy_for(grants: &[Grant]) -> PasswordPolicy {
    if grants.iter().any(|g| g.role.is_staff()) {
        PasswordPolicy::Staff
    } else {
        PasswordPolicy::Resident
    }
}

/// A grant's scope must name a real node: a grid that exists, or a region
/// that exists once the division codes are imported (before the import a
/// deployment may still grant on the codes it knows).
async fn check_scope(conn: &mut linli_store::Conn, scope: &RegionCode) -> Result<(), AppError> {
    let known = if scope.is_grid() {
        linli_store::territory::places::grid_by_code(conn, scope)
            .await?
            .is_some()
    } else {
        *scope == RegionCode::country()
            || linli_store::territory::regions::is_empty(conn).await?
            || linli_store::territory::regions::get(conn, scope)
                .await?
                .is_some()
    };
    if known {
        Ok(())
    } else {
        Err(AppError::Invalid(format!(
            "管辖范围 {scope} 不存在(没有这个区划或网格)"
        )))
    }
}

impl App {
    /// Creates an account with its role grants; audited as `user.create`
    /// and one `role.grant` per grant, in the same transaction.
    pub async fn create_user(&self, new: NewAccount, actor: &Actor) -> Result<i64, AppError> {
        let username: Username = new.username.parse()?;
        let display_name =
            parse_display_name(new.display_name.as_deref().unwrap_or(username.as_str()))?;
        policy_for(&new.grants).check(&username, &new.password)?;
        let hash = passwords::hash(&new.password).await?;
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        let id = users::insert(
            &mut tx,
            NewUser {
                username: username.as_str(),
                display_name: &display_name,
                password_hash: &hash,
                must_change_password: new.must_change_password,
                now,
            },
        )
        .await
        .map_err(|e| match e {
            linli_store::StoreError::Conflict(_) => {
                AppError::Conflict(format!("用户名 {username}"))
            }
            other => other.into(),
        })?;
        audit::append(
            &mut tx,
            event(
                actor,
                "user.create",
                format!("user:{id}"),
                username.to_string(),
            ),
            now,
        )
        .await?;
        for g in &new.grants {
            check_scope(&mut tx, &g.scope).await?;
            users::grant(&mut tx, id, g, actor.id, now).await?;
            let detail = format!("{} @ {}", g.role.as_str(), g.scope);
            audit::append(
                &mut tx,
                event(actor, "role.grant", format!("user:{id}"), detail),
                now,
            )
            .await?;
        }
        tx.commit().await?;
        tracing::info!(user_id = id, "account created");
        Ok(id)
    }

    /// Grants one more role to an existing account.
    pub async fn grant_role(
        &self,
        username: &str,
        grant: Grant,
        actor: &Actor,
    ) -> Result<bool, AppError> {
        let name: Username = username.parse()?;
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        let id = users::id_by_username(&mut tx, name.as_str())
            .await?
            .ok_or(AppError::NotFound)?;
        check_scope(&mut tx, &grant.scope).await?;
        let added = users::grant(&mut tx, id, &grant, actor.id, now).await?;
        if added {
            let detail = format!("{} @ {}", grant.role.as_str(), grant.scope);
            audit::append(
                &mut tx,
                event(actor, "role.grant", format!("user:{id}"), detail),
                now,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(added)
    }

    /// Disables (or re-enables) an account. Disabling ends its sessions at once.
    pub async fn set_disabled(
        &self,
        username: &str,
        disabled: bool,
        actor: &Actor,
    ) -> Result<(), AppError> {
        let name: Username = username.parse()?;
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        let id = users::id_by_username(&mut tx, name.as_str())
            .await?
            .ok_or(AppError::NotFound)?;
        users::set_disabled(&mut tx, id, disabled).await?;
        // disabling ends the sessions and revokes the tokens: enabling the
        // account again brings neither back
        let (ended, revoked) = if disabled {
            (
                sessions::delete_for_user(&mut tx, id, None).await?,
                tokens::revoke_all(&mut tx, id, now).await?,
            )
        } else {
            (0, 0)
        };
        let action = if disabled {
            "user.disable"
        } else {
            "user.enable"
        };
        audit::append(
            &mut tx,
            event(
                actor,
                action,
                format!("user:{id}"),
                format!("sessions_ended={ended} tokens_revoked={revoked}"),
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Changes the caller's own password after checking the current one.
    /// Every other session of the account ends, and its personal access
    /// tokens are revoked; the caller's session stays.
    pub async fn change_password(
        &self,
        who: &Principal,
        current: &Secret,
        new: &Secret,
        source: &str,
    ) -> Result<(), AppError> {
        self.change_password_with(who, current, new, true, source)
            .await
    }

    /// [`App::change_password`], revoking the account's tokens only when
    /// `revoke_tokens` (the password page offers it, checked by default).
    pub async fn change_password_with(
        &self,
        who: &Principal,
        current: &Secret,
        new: &Secret,
        revoke_tokens: bool,
        source: &str,
    ) -> Result<(), AppError> {
        let username: Username = who.username.parse()?;
        let stored = users::password_hash(&mut *self.db.conn().await?, who.user_id).await?;
        if !passwords::verify(current, stored).await? {
            return Err(AppError::Invalid("当前密码不正确".to_owned()));
        }
        if current == new {
            return Err(AppError::Invalid("新密码不能与当前密码相同".to_owned()));
        }
        policy_for(&who.grants).check(&username, new)?;
        let hash = passwords::hash(new).await?;
        let now = crate::now();
        let keep = match &who.credential {
            Credential::Session { id_hash } => Some(id_hash.as_str()),
            Credential::Token { .. } => None,
        };
        let mut tx = self.db.begin().await?;
        users::set_password(&mut tx, who.user_id, &hash, false, now).await?;
        let ended = sessions::delete_for_user(&mut tx, who.user_id, keep).await?;
        let revoked = if revoke_tokens {
            tokens::revoke_all(&mut tx, who.user_id, now).await?
        } else {
            0
        };
        let actor = who.actor(source);
        let detail = format!("other_sessions_ended={ended} tokens_revoked={revoked}");
        audit::append(
            &mut tx,
            event(
                &actor,
                "password.change",
                format!("user:{}", who.user_id),
                detail,
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Issues a personal access token for `username`; the secret is shown
    /// once and only its hash is kept.
    pub async fn create_token(
        &self,
        username: &str,
        name: &str,
        actor: &Actor,
    ) -> Result<IssuedToken, AppError> {
        let user: Username = username.parse()?;
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 60 {
            return Err(AppError::Invalid("令牌名称须为 1–60 个字符".to_owned()));
        }
        let secret = Secret::new(format!(
            "{TOKEN_PREFIX}{}",
            secrets::random_hex_256()?.expose()
        ));
        let prefix: String = secret
            .expose()
            .chars()
            .take(TOKEN_PREFIX.len() + 6)
            .collect();
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        let user_id = users::id_by_username(&mut tx, user.as_str())
            .await?
            .ok_or(AppError::NotFound)?;
        let hash = sm3_hex(secret.expose().as_bytes());
        let id = tokens::insert(
            &mut tx,
            NewToken {
                user_id,
                name,
                hash: &hash,
                prefix: &prefix,
                now,
            },
        )
        .await?;
        audit::append(
            &mut tx,
            event(
                actor,
                "token.create",
                format!("token:{id}"),
                format!("user:{user_id}"),
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(IssuedToken { id, secret })
    }

    pub async fn list_tokens(&self, who: &Principal) -> Result<Vec<TokenRecord>, AppError> {
        Ok(tokens::list(&mut *self.db.conn().await?, who.user_id).await?)
    }

    /// Revokes one of the caller's own tokens.
    pub async fn revoke_token(
        &self,
        who: &Principal,
        token_id: i64,
        source: &str,
    ) -> Result<(), AppError> {
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        if !tokens::revoke(&mut tx, who.user_id, token_id, now).await? {
            return Err(AppError::NotFound);
        }
        let actor = who.actor(source);
        audit::append(
            &mut tx,
            event(
                &actor,
                "token.revoke",
                format!("token:{token_id}"),
                String::new(),
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// For the demo: when there is no account yet, creates the administrator
    /// `admin` (系统管理员, whole country) with a one-time password that must
    /// be changed at first login. Returns the password when it made one.
    pub async fn ensure_demo_admin(&self) -> Result<Option<Secret>, AppError> {
        if users::count(&mut *self.db.conn().await?).await? > 0 {
            return Ok(None);
        }
        let username: Username = "admin".parse()?;
        let grants = vec![Grant {
            role: Role::SystemAdmin,
            scope: RegionCode::country(),
        }];
        // a random password meets the staff policy almost always; retry the rare miss
        let mut password = secrets::typeable_password()?;
        while PasswordPolicy::Staff.check(&username, &password).is_err() {
            password = secrets::typeable_password()?;
        }
        let account = NewAccount {
            username: username.to_string(),
            display_name: Some("演示管理员".to_owned()),
            password: password.clone(),
            grants,
            must_change_password: true,
        };
        self.create_user(account, &Actor::cli()).await?;
        Ok(Some(password))
    }
}
