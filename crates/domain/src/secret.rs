//! Values that must never reach a log: their `Debug` is redacted and they
//! have no `Display`.

use std::fmt;

/// A secret string: a password, a session id, an access token.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The clear value, for the few places that must hash or send it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// SM3 (GB/T 32905) digest of a high-entropy secret, hex encoded. Used for
/// session ids and access tokens at rest; passwords use argon2id instead.
pub fn sm3_hex(data: &[u8]) -> String {
    use sm3::{Digest, Sm3};
    hex::encode(Sm3::digest(data))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted() {
        let s = Secret::new("hunter2-planted");
        assert!(!format!("{s:?}").contains("hunter2"));
        assert_eq!(s.expose(), "hunter2-planted");
    }

    #[test]
    fn sm3_matches_the_standard_vector() {
        // GB/T 32905-2016 appendix A, example 1: "abc".
        assert_eq!(
            sm3_hex(b"abc"),
            "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
        );
    }
}
