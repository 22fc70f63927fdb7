//! Server-side sessions: idle and absolute timeouts.

use crate::time::UnixMs;

/// 会话超时 — how long a session lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionPolicy {
    /// Ends a session this long after its last request.
    pub idle_secs: i64,
    /// Ends a session this long after login, however active.
    pub absolute_secs: i64,
    /// `last_seen` is written at most this often, so that a busy page does
    /// not turn every read into a write.
    pub touch_every_secs: i64,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        SessionPolicy {
            idle_secs: 30 * 60,
            absolute_secs: 12 * 3600,
            touch_every_secs: 60,
        }
    }
}

/// What to do with a stored session on a new request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionCheck {
    Live { touch: bool },
    Expired,
}

impl SessionPolicy {
    pub fn check(self, created: UnixMs, last_seen: UnixMs, now: UnixMs) -> SessionCheck {
        if now.secs_since(created) >= self.absolute_secs
            || now.secs_since(last_seen) >= self.idle_secs
        {
            SessionCheck::Expired
        } else {
            SessionCheck::Live {
                touch: now.secs_since(last_seen) >= self.touch_every_secs,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idle_and_absolute_timeouts() {
        let p = SessionPolicy::default();
        let t0 = UnixMs(0);
        assert_eq!(
            p.check(t0, t0, t0.plus_secs(10)),
            SessionCheck::Live { touch: false }
        );
        assert_eq!(
            p.check(t0, t0, t0.plus_secs(61)),
            SessionCheck::Live { touch: true }
        );
        assert_eq!(
            p.check(t0, t0, t0.plus_secs(30 * 60)),
            SessionCheck::Expired
        );
        // active all day: the absolute timeout still ends it
        let seen = t0.plus_secs(12 * 3600 - 5);
        assert_eq!(
            p.check(t0, seen, t0.plus_secs(12 * 3600)),
            SessionCheck::Expired
        );
    }
}
