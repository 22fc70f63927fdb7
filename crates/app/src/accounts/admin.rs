//! Account administration (`/admin/users`): community secretaries, street
//! and district administrators create accounts and grant roles only below
//! their own and only within their scope, reset passwords (one-time, to be
//! changed), disable and enable; security administrators clear lockouts.
//! The rules are [`linli_domain::accounts::admin`]; every action is audited.

use crate::accounts::auth::Principal;
use crate::accounts::{NewAccount, passwords};
use crate::infra::secrets;
use crate::{Actor, App, AppError, event};
use linli_domain::access::{Grant, RegionCode};
use linli_domain::accounts::Username;
use linli_domain::accounts::admin::{manages_lockouts, may_administer, may_grant, may_hand_over};
use linli_domain::secret::Secret;
use linli_store::accounts::admin::{self as store, AccountRow};
use linli_store::accounts::{second_factor, sessions, throttle, tokens, users};
use linli_store::audit;

/// An account as its administrator sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountView {
    pub row: AccountRow,
    /// addresses locked out now, from failed logins
    pub locked_sources: i64,
    pub second_factor: bool,
}

/// Accounts listed at most.
const LIST_LIMIT: i64 = 500;

fn forbidden() -> AppError {
    AppError::Forbidden
}

/// Refuses to hand `target` to an administrator who may not do with
/// residents' data what it may (they would hold its password).
fn hand_over(who: &Principal, target: &[Grant]) -> Result<(), AppError> {
    if may_hand_over(&who.grants, target) {
        Ok(())
    } else {
        Err(AppError::Invalid(
            "该岗位能查看居民个人信息,须由在该范围有同等权限的管理员办理(或由运维在服务器上用命令行开设)".into(),
        ))
    }
}

impl App {
    /// The accounts `who` administers (or, for a security administrator,
    /// every account, for its lockouts), by user name.
    pub async fn admin_accounts(&self, who: &Principal) -> Result<Vec<AccountView>, AppError> {
        let lockouts = manages_lockouts(&who.grants);
        let prefixes: Vec<String> = if lockouts {
            vec![String::new()]
        } else {
            who.grants
                .iter()
                .filter(|g| !linli_domain::accounts::admin::grantable(g.role).is_empty())
                .map(|g| g.scope.significant_prefix().to_owned())
                .collect()
        };
        if prefixes.is_empty() {
            return Err(forbidden());
        }
        let now = crate::now();
        let mut conn = self.db.conn().await?;
        let rows = store::accounts_in(&mut conn, &prefixes, LIST_LIMIT).await?;
        let mut out = Vec::new();
        for row in rows {
            if !lockouts && !may_administer(&who.grants, &row.grants) {
                continue;
            }
            let (locked_sources, _) = throttle::summary(&mut conn, &row.user.username, now).await?;
            let second_factor = second_factor::state(&mut conn, row.user.id)
                .await?
                .0
                .is_some();
            out.push(AccountView {
                row,
                locked_sources,
                second_factor,
            });
        }
        Ok(out)
    }

    /// One account `who` administers (or sees for its lockouts).
    pub async fn admin_account(
        &self,
        who: &Principal,
        user_id: i64,
    ) -> Result<AccountView, AppError> {
        self.admin_accounts(who)
            .await?
            .into_iter()
            .find(|a| a.row.user.id == user_id)
            .ok_or(AppError::NotFound)
    }

    /// Loads the target's grants and checks `who` administers it.
    async fn administered(
        &self,
        conn: &mut linli_store::Conn,
        who: &Principal,
        user_id: i64,
    ) -> Result<(users::UserRecord, Vec<Grant>), AppError> {
        let (user, grants) = users::find_with_grants(conn, user_id)
            .await?
            .ok_or(AppError::NotFound)?;
        if user_id == who.user_id || !may_administer(&who.grants, &grants) {
            return Err(AppError::NotFound);
        }
        Ok((user, grants))
    }

    /// Creates an account with one role; returns the one-time password to
    /// hand over (it must be changed at first login).
    pub async fn admin_create_account(
        &self,
        who: &Principal,
        username: &str,
        display_name: &str,
        grant: Grant,
        actor: &Actor,
    ) -> Result<(i64, Secret), AppError> {
        if !may_grant(&who.grants, grant.role, &grant.scope) {
            return Err(forbidden());
        }
        hand_over(who, std::slice::from_ref(&grant))?;
        let name: Username = username.parse()?;
        let mut password = secrets::typeable_password()?;
        let policy = crate::accounts::policy_for(std::slice::from_ref(&grant));
        while policy.check(&name, &password).is_err() {
            password = secrets::typeable_password()?;
        }
        let id = self
            .create_user(
                NewAccount {
                    username: name.as_str().to_owned(),
                    display_name: Some(display_name.to_owned()).filter(|d| !d.trim().is_empty()),
                    password: password.clone(),
                    grants: vec![grant],
                    must_change_password: true,
                },
                actor,
            )
            .await?;
        Ok((id, password))
    }

    /// Grants one more role below the caller's, within their scope.
    pub async fn admin_grant(
        &self,
        who: &Principal,
        user_id: i64,
        grant: Grant,
        actor: &Actor,
    ) -> Result<(), AppError> {
        if !may_grant(&who.grants, grant.role, &grant.scope) {
            return Err(forbidden());
        }
        // the administrator may know the account's password (they made it)
        hand_over(who, std::slice::from_ref(&grant))?;
        let mut conn = self.db.conn().await?;
        let (user, _) = self.administered(&mut conn, who, user_id).await?;
        drop(conn);
        self.grant_role(&user.username, grant, actor).await?;
        Ok(())
    }

    /// Takes a role away (one the caller could have given).
    pub async fn admin_revoke(
        &self,
        who: &Principal,
        user_id: i64,
        grant: &Grant,
        actor: &Actor,
    ) -> Result<(), AppError> {
        if !may_grant(&who.grants, grant.role, &grant.scope) {
            return Err(forbidden());
        }
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        self.administered(&mut tx, who, user_id).await?;
        if !store::revoke(&mut tx, user_id, grant).await? {
            return Err(AppError::NotFound);
        }
        let detail = format!("{} @ {}", grant.role.as_str(), grant.scope);
        audit::append(
            &mut tx,
            event(actor, "role.revoke", format!("user:{user_id}"), detail),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Resets the password to a one-time one (returned, to hand over), ends
    /// the sessions, revokes the tokens and removes the second factor (the
    /// person re-enrols after signing in).
    pub async fn admin_reset_password(
        &self,
        who: &Principal,
        user_id: i64,
        actor: &Actor,
    ) -> Result<Secret, AppError> {
        let now = crate::now();
        let mut conn = self.db.conn().await?;
        let (user, grants) = self.administered(&mut conn, who, user_id).await?;
        drop(conn);
        hand_over(who, &grants)?;
        let name: Username = user.username.parse()?;
        let policy = crate::accounts::policy_for(&grants);
        let mut password = secrets::typeable_password()?;
        while policy.check(&name, &password).is_err() {
            password = secrets::typeable_password()?;
        }
        let hash = passwords::hash(&password).await?;
        let mut tx = self.db.begin().await?;
        users::set_password(&mut tx, user_id, &hash, true, now).await?;
        let ended = sessions::delete_for_user(&mut tx, user_id, None).await?;
        let revoked = tokens::revoke_all(&mut tx, user_id, now).await?;
        second_factor::disable(&mut tx, user_id).await?;
        audit::append(
            &mut tx,
            event(
                actor,
                "user.reset_password",
                format!("user:{user_id}"),
                format!("sessions_ended={ended} tokens_revoked={revoked}"),
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(password)
    }

    /// Disables or enables an account the caller administers.
    pub async fn admin_set_disabled(
        &self,
        who: &Principal,
        user_id: i64,
        disabled: bool,
        actor: &Actor,
    ) -> Result<(), AppError> {
        let mut conn = self.db.conn().await?;
        let (user, _) = self.administered(&mut conn, who, user_id).await?;
        drop(conn);
        self.set_disabled(&user.username, disabled, actor).await
    }

    /// A security administrator clears the failed-login locks of an account.
    pub async fn admin_unlock(
        &self,
        who: &Principal,
        user_id: i64,
        actor: &Actor,
    ) -> Result<u64, AppError> {
        if !manages_lockouts(&who.grants) {
            return Err(forbidden());
        }
        let user = users::find(&mut *self.db.conn().await?, user_id)
            .await?
            .ok_or(AppError::NotFound)?;
        self.unlock_logins(&user.username, actor).await
    }

    /// Clears every failed-login lock on the name `username` (from any
    /// source); how many were cleared.
    pub async fn unlock_logins(&self, username: &str, actor: &Actor) -> Result<u64, AppError> {
        let name: Username = username.parse()?;
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        let cleared = throttle::clear_name(&mut tx, name.as_str()).await?;
        audit::append(
            &mut tx,
            event(
                actor,
                "user.unlock",
                format!("login:{}", name.as_str()),
                format!("cleared={cleared}"),
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(cleared)
    }
}

/// The scope codes an administrator may grant in: their own grants' scopes.
pub fn admin_scopes(who: &Principal) -> Vec<RegionCode> {
    let mut out: Vec<RegionCode> = who
        .grants
        .iter()
        .filter(|g| !linli_domain::accounts::admin::grantable(g.role).is_empty())
        .map(|g| g.scope.clone())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// A place an administrator may grant a role over, as people name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopeChoice {
    pub code: RegionCode,
    pub label: String,
}

/// The name of a region or grid: `长山花园社区`, `长山花园社区 第一网格`.
async fn label_of(conn: &mut linli_store::Conn, code: &RegionCode) -> Result<String, AppError> {
    use linli_store::territory::{places, regions};
    if *code == RegionCode::country() {
        return Ok("全部".to_owned());
    }
    if let Some(r) = regions::get(conn, code).await? {
        return Ok(r.name);
    }
    if let Some(g) = places::grid_by_code(conn, code).await? {
        let community = match code.community() {
            Some(c) => regions::get(conn, &c)
                .await?
                .map(|r| r.name)
                .unwrap_or_default(),
            None => String::new(),
        };
        return Ok(format!("{community} {}", g.name).trim().to_owned());
    }
    // a place granted before its region was loaded: never show the code
    Ok("未登记的区域".to_owned())
}

impl App {
    /// Where `who` may grant roles: each of their administering scopes,
    /// the regions directly below it, and for a community its grids.
    pub async fn admin_scope_choices(&self, who: &Principal) -> Result<Vec<ScopeChoice>, AppError> {
        use linli_store::territory::{places, regions};
        let mut conn = self.db.conn().await?;
        let mut out = Vec::new();
        for scope in admin_scopes(who) {
            let label = label_of(&mut conn, &scope).await?;
            out.push(ScopeChoice {
                code: scope.clone(),
                label: label.clone(),
            });
            if scope.community().as_ref() == Some(&scope) {
                for g in places::grids_of(&mut conn, &scope).await? {
                    out.push(ScopeChoice {
                        label: format!("{label} {}", g.name),
                        code: g.code,
                    });
                }
            } else if scope != RegionCode::country() {
                for r in regions::children(&mut conn, &scope).await? {
                    out.push(ScopeChoice {
                        code: r.code,
                        label: format!("{label} {}", r.name),
                    });
                }
            }
        }
        Ok(out)
    }

    /// How people are named on a timeline: a display name for an account's
    /// login, `合作方系统` for a partner, `系统` for the server itself.
    pub async fn people_names(
        &self,
        logins: &[String],
    ) -> Result<std::collections::HashMap<String, String>, AppError> {
        let mut wanted: Vec<String> = logins.to_vec();
        wanted.sort();
        wanted.dedup();
        let mut out: std::collections::HashMap<String, String> =
            users::display_names(&mut *self.db.conn().await?, &wanted)
                .await?
                .into_iter()
                .collect();
        for l in wanted {
            out.entry(l.clone()).or_insert_with(|| {
                if l.starts_with("open311:") {
                    "合作方系统".to_owned()
                } else {
                    "系统".to_owned()
                }
            });
        }
        Ok(out)
    }

    /// How people name `codes` (regions and grids), in order.
    pub async fn scope_labels(&self, codes: &[RegionCode]) -> Result<Vec<String>, AppError> {
        let mut conn = self.db.conn().await?;
        let mut out = Vec::with_capacity(codes.len());
        for c in codes {
            out.push(label_of(&mut conn, c).await?);
        }
        Ok(out)
    }
}
