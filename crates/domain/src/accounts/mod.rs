//! Accounts: user names, the password policy and the login lockout rule.

pub mod admin;
pub mod session;

use crate::secret::Secret;
use crate::time::UnixMs;
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccountError {
    #[error("用户名须为 3–32 位字母、数字、下划线、点或连字符")]
    BadUsername,
    #[error("密码长度须为 {min}–128 位")]
    PasswordLength { min: usize },
    #[error("工作人员密码须包含大写字母、小写字母、数字、符号中的至少三类")]
    PasswordComposition,
    #[error("新密码不能与用户名相同或包含用户名")]
    PasswordContainsUsername,
    #[error("显示名称须为 1–40 个字符")]
    BadDisplayName,
}

/// 用户名 — a login name: 3–32 ASCII letters, digits, `_`, `.` or `-`,
/// stored lower-case so that `Admin` and `admin` are one account.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Username(String);

impl Username {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for Username {
    type Err = AccountError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        let ok_chars = t
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'));
        if !(3..=32).contains(&t.len()) || !ok_chars {
            return Err(AccountError::BadUsername);
        }
        Ok(Username(t.to_ascii_lowercase()))
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// 显示名称 — the name shown in the UI (1–40 characters).
pub fn parse_display_name(s: &str) -> Result<String, AccountError> {
    let t = s.trim();
    let n = t.chars().count();
    if n == 0 || n > 40 || t.chars().any(char::is_control) {
        return Err(AccountError::BadDisplayName);
    }
    Ok(t.to_owned())
}

/// Which password rules apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordPolicy {
    /// 等保 style for staff: at least 10 characters and three of the four
    /// character classes.
    Staff,
    /// ASVS style for residents: at least 8 characters, no composition rules.
    Resident,
}

impl PasswordPolicy {
    const MAX: usize = 128;

    /// Checks a new password for `username` under this policy.
    pub fn check(self, username: &Username, password: &Secret) -> Result<(), AccountError> {
        let pw = password.expose();
        let min = match self {
            PasswordPolicy::Staff => 10,
            PasswordPolicy::Resident => 8,
        };
        let len = pw.chars().count();
        if len < min || len > Self::MAX {
            return Err(AccountError::PasswordLength { min });
        }
        if pw.to_lowercase().contains(username.as_str()) {
            return Err(AccountError::PasswordContainsUsername);
        }
        if self == PasswordPolicy::Staff {
            let classes = [
                pw.chars().any(|c| c.is_ascii_uppercase()),
                pw.chars().any(|c| c.is_ascii_lowercase()),
                pw.chars().any(|c| c.is_ascii_digit()),
                pw.chars().any(|c| !c.is_ascii_alphanumeric()),
            ];
            if classes.iter().filter(|c| **c).count() < 3 {
                return Err(AccountError::PasswordComposition);
            }
        }
        Ok(())
    }
}

/// 登录失败锁定 — how many failures lock an account and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockoutPolicy {
    /// failures from one source, on one name, that lock that pair
    pub max_failures: u32,
    /// the first lock; each further lock doubles it
    pub lock_secs: i64,
    /// the longest lock
    pub max_lock_secs: i64,
}

impl Default for LockoutPolicy {
    fn default() -> Self {
        LockoutPolicy {
            max_failures: 5,
            lock_secs: 15 * 60,
            max_lock_secs: 4 * 3600,
        }
    }
}

/// The failed-login state of one (name, source address) pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LockState {
    pub failed_logins: u32,
    /// locks so far (each doubles the next, up to the longest)
    pub lockouts: u32,
    pub locked_until: Option<UnixMs>,
}

impl LockoutPolicy {
    /// Whether the pair is locked at `now`.
    pub fn is_locked(self, state: LockState, now: UnixMs) -> bool {
        state.locked_until.is_some_and(|t| now < t)
    }

    /// The state after one more failed password at `now`. The failure that
    /// reaches the limit locks the pair, for twice as long as the last lock
    /// (up to the longest), and restarts the count.
    pub fn after_failure(self, state: LockState, now: UnixMs) -> LockState {
        let expired_lock = state.locked_until.is_some_and(|t| now >= t);
        let failed = if expired_lock {
            1
        } else {
            state.failed_logins.saturating_add(1)
        };
        if failed >= self.max_failures {
            let secs = self
                .lock_secs
                .saturating_mul(1_i64 << state.lockouts.min(20))
                .min(self.max_lock_secs);
            LockState {
                failed_logins: 0,
                lockouts: state.lockouts.saturating_add(1),
                locked_until: Some(now.plus_secs(secs)),
            }
        } else {
            LockState {
                failed_logins: failed,
                lockouts: state.lockouts,
                locked_until: None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(s: &str) -> Username {
        s.parse().unwrap()
    }

    #[test]
    fn usernames_are_normalised_and_checked() {
        assert_eq!(user(" Admin ").as_str(), "admin");
        for bad in ["ab", "with space", "张三", "a/b", &"x".repeat(33)] {
            assert!(bad.parse::<Username>().is_err(), "{bad}");
        }
    }

    #[test]
    fn staff_passwords_need_three_classes() {
        let u = user("wang.li");
        let check = |p: &str| PasswordPolicy::Staff.check(&u, &Secret::new(p));
        assert_eq!(
            check("Short1!"),
            Err(AccountError::PasswordLength { min: 10 })
        );
        assert_eq!(
            check("alllowercase"),
            Err(AccountError::PasswordComposition)
        );
        assert_eq!(
            check("Wang.Li-2026x"),
            Err(AccountError::PasswordContainsUsername)
        );
        assert_eq!(check("Lower-and-digits1"), Ok(()));
        assert_eq!(check("长山花园社区网格2026a"), Ok(()));
    }

    #[test]
    fn resident_passwords_need_length_only() {
        let u = user("resident1");
        assert_eq!(
            PasswordPolicy::Resident.check(&u, &Secret::new("mangoes!")),
            Ok(())
        );
        assert!(
            PasswordPolicy::Resident
                .check(&u, &Secret::new("short"))
                .is_err()
        );
        let long = "a".repeat(129);
        assert!(
            PasswordPolicy::Resident
                .check(&u, &Secret::new(long))
                .is_err()
        );
    }

    #[test]
    fn fifth_failure_locks_for_the_configured_time() {
        let p = LockoutPolicy::default();
        let t0 = UnixMs(1_000_000);
        let mut s = LockState::default();
        for i in 1..=4 {
            s = p.after_failure(s, t0);
            assert_eq!(s.failed_logins, i);
            assert!(!p.is_locked(s, t0));
        }
        s = p.after_failure(s, t0);
        assert!(p.is_locked(s, t0));
        assert!(p.is_locked(s, t0.plus_secs(15 * 60 - 1)));
        assert!(!p.is_locked(s, t0.plus_secs(15 * 60)));
        // after the lock expires the count starts again
        let after = p.after_failure(s, t0.plus_secs(16 * 60));
        assert_eq!(
            after,
            LockState {
                failed_logins: 1,
                lockouts: 1,
                locked_until: None
            }
        );
    }

    #[test]
    fn each_lock_doubles_up_to_the_longest() {
        let p = LockoutPolicy::default();
        let mut s = LockState::default();
        let mut t = UnixMs(1_000_000);
        let mut locks = Vec::new();
        for _ in 0..6 {
            for _ in 0..5 {
                s = p.after_failure(s, t);
            }
            let until = s.locked_until.unwrap();
            locks.push(until.secs_since(t) / 60);
            t = until;
        }
        assert_eq!(locks, [15, 30, 60, 120, 240, 240]);
    }

    #[test]
    fn display_names() {
        assert_eq!(parse_display_name(" 王丽 ").unwrap(), "王丽");
        assert!(parse_display_name("").is_err());
        assert!(parse_display_name("a\u{0}b").is_err());
    }
}
