//! Check-in by a rotating code (participation.md §4): the organiser's phone
//! shows a QR that changes every [`WINDOW_SECS`] seconds, a MAC of the
//! activity, in or out, and the window; the server accepts this window or
//! the one before by its own clock. A printed code, valid only during the
//! activity's hours (and half an hour either side), serves where no phone
//! can show one. The MAC itself is computed where the keys are (app).

use crate::time::UnixMs;

/// How long one code shows.
pub const WINDOW_SECS: i64 = 30;

/// How long before and after the activity a printed code is accepted.
pub const PRINTED_SLACK_SECS: i64 = 30 * 60;

/// In or out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    In,
    Out,
}

impl Mark {
    pub const fn as_str(self) -> &'static str {
        match self {
            Mark::In => "in",
            Mark::Out => "out",
        }
    }
    pub const fn label_zh(self) -> &'static str {
        match self {
            Mark::In => "签到",
            Mark::Out => "签退",
        }
    }
    pub fn parse(s: &str) -> Option<Mark> {
        match s {
            "in" => Some(Mark::In),
            "out" => Some(Mark::Out),
            _ => None,
        }
    }
}

/// The window an instant falls in.
pub fn window(at: UnixMs) -> i64 {
    at.0.div_euclid(WINDOW_SECS * 1000)
}

/// Whether a rotating code of window `w` is still good at `now`.
pub fn fresh(w: i64, now: UnixMs) -> bool {
    let cur = window(now);
    w == cur || w == cur - 1
}

/// Whether a printed code is good at `now` for an activity from `starts`
/// to `ends`.
pub fn printed_valid(now: UnixMs, starts: UnixMs, ends: UnixMs) -> bool {
    now >= starts.plus_secs(-PRINTED_SLACK_SECS) && now <= ends.plus_secs(PRINTED_SLACK_SECS)
}

/// What the MAC covers: one activity, one mark, one window (or `p` for a
/// printed code), so a code of another activity or mark never fits.
pub fn message(activity: i64, mark: Mark, w: Option<i64>) -> String {
    match w {
        Some(w) => format!("linli:checkin:{activity}:{}:{w}", mark.as_str()),
        None => format!("linli:checkin:{activity}:{}:p", mark.as_str()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_lives_one_window_more() {
        let now = UnixMs(1_800_000_000_000);
        let w = window(now);
        assert!(fresh(w, now));
        assert!(fresh(w, now.plus_secs(WINDOW_SECS)));
        assert!(!fresh(w, now.plus_secs(2 * WINDOW_SECS)), "expired");
        assert!(!fresh(w + 1, now), "from the future");
    }

    #[test]
    fn printed_codes_hold_for_the_hours() {
        let s = UnixMs(1_800_000_000_000);
        let e = s.plus_secs(7200);
        assert!(printed_valid(s.plus_secs(-600), s, e));
        assert!(!printed_valid(s.plus_secs(-3600), s, e));
        assert!(!printed_valid(e.plus_secs(3600), s, e));
        assert_ne!(message(1, Mark::In, Some(5)), message(2, Mark::In, Some(5)));
        assert_ne!(message(1, Mark::In, None), message(1, Mark::Out, None));
    }
}
