//! Per-client rate limits (login form), with the `governor` crate's GCRA.

use governor::{Quota, RateLimiter};
use std::num::NonZeroU32;

pub type Limiter = governor::DefaultKeyedRateLimiter<String>;

/// A limiter allowing `n` events per minute per key (a burst of `n`).
pub fn per_minute(n: u32) -> Limiter {
    RateLimiter::keyed(Quota::per_minute(
        NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN),
    ))
}

/// Whether `key` may act now. Forgets idle keys once many are tracked, so
/// memory stays bounded under a spray of addresses.
pub fn allow(limiter: &Limiter, key: &str) -> bool {
    let ok = limiter.check_key(&key.to_owned()).is_ok();
    if limiter.len() > 10_000 {
        limiter.retain_recent();
    }
    ok
}
