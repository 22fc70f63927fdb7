//! 双因素登录 — TOTP (RFC 6238, the `totp-rs` crate) as the second factor:
//! enrolment by QR code (an `otpauth://` URL any authenticator app reads),
//! ten single-use recovery codes kept only as hashes, a code taken once
//! per 30-second step, and a session that stays at the second-factor
//! page until one is given. Required, when the deployment says so
//! ([`SecondFactorPolicy::Required`], `linli serve`'s default), for every
//! role that can reveal personal data or administer accounts
//! ([`linli_domain::accounts::admin::needs_second_factor`]); optional for
//! the others.

use crate::accounts::auth::{Credential, Principal};
use crate::infra::crypto::Field;
use crate::{Actor, App, AppError, event};
use linli_domain::accounts::admin::needs_second_factor;
use linli_domain::audit::Outcome;
use linli_domain::secret::{Secret, sm3_hex};
use linli_store::accounts::second_factor as store;
use linli_store::audit;

/// Whether the deployment requires a second factor of the roles that need
/// one. `linli serve` requires it; the library default and `linli demo`
/// leave it to each user (a tryout needs no authenticator app).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SecondFactorPolicy {
    #[default]
    Optional,
    Required,
}

/// What a signed-in session may do now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    /// everything its roles allow
    Open,
    /// the password was right; the second factor is still to come
    SecondFactor,
    /// its roles need a second factor and it has none: enrol first
    EnrolFirst,
}

/// A started enrolment: the secret for the authenticator app.
#[derive(Debug)]
pub struct Enrolment {
    /// base32, for typing in by hand
    pub secret: Secret,
    /// `otpauth://totp/…`, for the QR code
    pub url: Secret,
}

const ISSUER: &str = "linli";
/// Recovery codes given at enrolment.
pub const RECOVERY_CODES: usize = 10;

fn totp(secret: totp_rs::Secret) -> Result<totp_rs::Totp, AppError> {
    totp_rs::Builder::new()
        .with_secret(secret)
        .build()
        .map_err(|e| AppError::Internal(format!("totp: {e}")))
}

fn now_secs() -> u64 {
    u64::try_from(crate::now().0 / 1000).unwrap_or(0)
}

/// A recovery code as typed: letters and digits, upper-case.
fn normalise(code: &str) -> String {
    code.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

fn recovery_hash(user_id: i64, code: &str) -> String {
    sm3_hex(format!("{user_id}|{}", normalise(code)).as_bytes())
}

/// `XXXX-XXXX` from an alphabet without 0/O and 1/I.
fn recovery_code() -> Result<Secret, AppError> {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).map_err(|e| AppError::Internal(format!("random: {e}")))?;
    let chars: String = b
        .iter()
        .map(|x| char::from(ALPHABET[usize::from(*x) % ALPHABET.len()]))
        .collect();
    Ok(Secret::new(format!("{}-{}", &chars[..4], &chars[4..])))
}

impl App {
    /// The gate of a signed-in principal.
    pub async fn gate(&self, who: &Principal) -> Result<Gate, AppError> {
        let mut conn = self.db.conn().await?;
        if let Credential::Session { id_hash } = &who.credential
            && store::session_pending(&mut conn, id_hash).await?
        {
            return Ok(Gate::SecondFactor);
        }
        // a token stands for a session that passed — but not for an account
        // that must bind first and has not (tokens made before it had to)
        if self.config.second_factor == SecondFactorPolicy::Required
            && needs_second_factor(&who.grants)
            && store::state(&mut conn, who.user_id).await?.0.is_none()
        {
            return Ok(Gate::EnrolFirst);
        }
        Ok(Gate::Open)
    }

    /// Whether the account signs in with a second factor, and how many
    /// recovery codes it has left.
    pub async fn second_factor_of(&self, user_id: i64) -> Result<(bool, i64), AppError> {
        let mut conn = self.db.conn().await?;
        let on = store::state(&mut conn, user_id).await?.0.is_some();
        Ok((on, store::recovery_left(&mut conn, user_id).await?))
    }

    /// Starts (or restarts) enrolment: a new secret that takes effect once
    /// its first code is confirmed.
    /// Binding again (a new phone) needs the current password: a borrowed
    /// browser must not become someone's second factor.
    pub async fn totp_begin(
        &self,
        who: &Principal,
        password: Option<&Secret>,
    ) -> Result<Enrolment, AppError> {
        let bound = store::state(&mut *self.db.conn().await?, who.user_id)
            .await?
            .0
            .is_some();
        if bound {
            let hash = linli_store::accounts::users::password_hash(
                &mut *self.db.conn().await?,
                who.user_id,
            )
            .await?;
            let ok = match password {
                Some(p) => crate::accounts::passwords::verify(p, hash).await?,
                None => false,
            };
            if !ok {
                return Err(AppError::Invalid("重新绑定须输入正确的当前密码".into()));
            }
        }
        let mut raw = [0u8; 20];
        getrandom::fill(&mut raw).map_err(|e| AppError::Internal(format!("random: {e}")))?;
        let secret = totp_rs::Secret::from(raw).to_base32();
        let sealed = self.crypto()?.seal(Field::Totp, &secret)?;
        store::set_pending(&mut *self.db.conn().await?, who.user_id, &sealed).await?;
        let url = format!(
            "otpauth://totp/{ISSUER}:{user}?secret={secret}&issuer={ISSUER}&algorithm=SHA1&digits=6&period=30",
            user = who.username
        );
        Ok(Enrolment {
            secret: Secret::new(secret),
            url: Secret::new(url),
        })
    }

    /// Confirms enrolment with the app's first code; returns the recovery
    /// codes, shown this once. The caller's session counts as passed.
    pub async fn totp_confirm(
        &self,
        who: &Principal,
        code: &str,
        actor: &Actor,
    ) -> Result<Vec<Secret>, AppError> {
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        let (_, pending, _) = store::state(&mut tx, who.user_id).await?;
        let pending = pending.ok_or_else(|| AppError::Invalid("请先开始绑定".into()))?;
        let secret = self.crypto()?.open(Field::Totp, &pending)?;
        let bytes = totp_rs::Secret::try_from_base32(secret.expose())
            .map_err(|e| AppError::Internal(format!("totp secret: {e}")))?;
        let step = totp(bytes)?
            .check(code.trim(), now_secs())
            .ok_or_else(|| AppError::Invalid("验证码不对,请看验证器里的 6 位数字".into()))?;
        let codes: Vec<Secret> = (0..RECOVERY_CODES)
            .map(|_| recovery_code())
            .collect::<Result<_, _>>()?;
        let hashes: Vec<String> = codes
            .iter()
            .map(|c| recovery_hash(who.user_id, c.expose()))
            .collect();
        let step = i64::try_from(step).unwrap_or(i64::MAX);
        if !store::enable(&mut tx, who.user_id, step, &hashes).await? {
            return Err(AppError::Invalid("请先开始绑定".into()));
        }
        // this session passed; any other ends (it may be the one that
        // lost the phone)
        let current = match &who.credential {
            Credential::Session { id_hash } => {
                store::set_session_pending(&mut tx, id_hash, false).await?;
                Some(id_hash.as_str())
            }
            Credential::Token { .. } => None,
        };
        linli_store::accounts::sessions::delete_for_user(&mut tx, who.user_id, current).await?;
        audit::append(
            &mut tx,
            event(
                actor,
                "auth.totp_enrol",
                format!("user:{}", who.user_id),
                String::new(),
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(codes)
    }

    /// The second factor of a session waiting for it: a current code (each
    /// taken once) or an unused recovery code.
    pub async fn pass_second_factor(
        &self,
        who: &Principal,
        code: &str,
        actor: &Actor,
    ) -> Result<(), AppError> {
        let Credential::Session { id_hash } = &who.credential else {
            return Ok(());
        };
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        // five wrong codes in a quarter of an hour end the session: the
        // password (throttled per address) must be given again
        let since = linli_domain::time::UnixMs(now.0 - 15 * 60 * 1000);
        // one attempt at a time per account, or parallel guesses would all
        // see the old count
        linli_store::accounts::users::lock(&mut tx, who.user_id).await?;
        let failed = audit::count_since(
            &mut tx,
            Some(who.user_id),
            "auth.second_factor",
            Some(Outcome::Failed),
            since,
        )
        .await?;
        if failed >= 5 {
            linli_store::accounts::sessions::delete(&mut tx, id_hash).await?;
            tx.commit().await?;
            return Err(AppError::TooMany("验证码错误次数过多,请重新登录".into()));
        }
        let (enabled, _, _) = store::state(&mut tx, who.user_id).await?;
        let enabled = enabled.ok_or_else(|| AppError::Invalid("该账号未绑定验证器".into()))?;
        let typed = code.trim();
        let passed = if typed.len() == 6 && typed.bytes().all(|b| b.is_ascii_digit()) {
            let secret = self.crypto()?.open(Field::Totp, &enabled)?;
            let bytes = totp_rs::Secret::try_from_base32(secret.expose())
                .map_err(|e| AppError::Internal(format!("totp secret: {e}")))?;
            match totp(bytes)?.check(typed, now_secs()) {
                Some(step) => {
                    store::take_step(
                        &mut tx,
                        who.user_id,
                        i64::try_from(step).unwrap_or(i64::MAX),
                    )
                    .await?
                }
                None => false,
            }
        } else {
            store::spend_recovery(
                &mut tx,
                who.user_id,
                &recovery_hash(who.user_id, typed),
                now,
            )
            .await?
        };
        let mut ev = event(
            actor,
            "auth.second_factor",
            format!("user:{}", who.user_id),
            if passed { "" } else { "wrong_code" }.to_owned(),
        );
        if !passed {
            ev.outcome = Outcome::Failed;
        } else {
            store::set_session_pending(&mut tx, id_hash, false).await?;
        }
        audit::append(&mut tx, ev, now).await?;
        tx.commit().await?;
        if passed {
            Ok(())
        } else {
            Err(AppError::Invalid(
                "验证码不对或已用过,请输入验证器里新的 6 位数字,或一个恢复码".into(),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovery_codes_read_easily_and_hash_as_typed() {
        let c = recovery_code().unwrap();
        let s = c.expose();
        assert_eq!(s.len(), 9);
        assert_eq!(&s[4..5], "-");
        assert!(!s.contains(['0', 'O', '1', 'I']));
        assert_eq!(
            recovery_hash(7, s),
            recovery_hash(7, &s.to_lowercase().replace('-', " "))
        );
        assert_ne!(recovery_hash(7, s), recovery_hash(8, s));
    }
}
