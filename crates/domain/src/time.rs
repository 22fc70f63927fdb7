//! Instants are stored as UTC unix milliseconds (see DESIGN.md, "Time").

/// A UTC instant in unix milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UnixMs(pub i64);

impl UnixMs {
    pub const fn plus_secs(self, secs: i64) -> UnixMs {
        UnixMs(self.0.saturating_add(secs.saturating_mul(1000)))
    }

    pub const fn secs_since(self, earlier: UnixMs) -> i64 {
        (self.0 - earlier.0) / 1000
    }
}
