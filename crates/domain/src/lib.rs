//! linli domain: types and rules with no I/O.
//!
//! Every value here is built by `parse()` and is valid once it exists
//! ("parse, don't validate"). Chinese domain terms sit beside the English names.

/// A closed set of named values: `ALL`, the stable `as_str` name (database,
/// API), the Chinese `label_zh`, `FromStr` (an unknown name is
/// `$err::Unknown { what, got }`) and `Serialize` as the name.
macro_rules! named_enum {
    ($ty:ident, $err:ident, $what:literal, $( $v:ident => $s:literal, $zh:literal ),+ $(,)?) => {
        impl $ty {
            pub const ALL: &'static [$ty] = &[$($ty::$v),+];
            pub const fn as_str(self) -> &'static str {
                match self { $($ty::$v => $s),+ }
            }
            pub const fn label_zh(self) -> &'static str {
                match self { $($ty::$v => $zh),+ }
            }
        }
        impl std::str::FromStr for $ty {
            type Err = $err;
            fn from_str(s: &str) -> Result<Self, $err> {
                $ty::ALL.iter().copied().find(|k| k.as_str() == s)
                    .ok_or_else(|| $err::Unknown { what: $what, got: s.to_owned() })
            }
        }
        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
    };
}

// the kernel: used by several capabilities, owned by none
pub mod access;
pub mod audit;
pub mod geo;
pub mod secret;
pub mod time;

// one folder per capability
pub mod accounts;
pub mod cases;
pub mod deliberation;
pub mod gridwork;
pub mod notices;
pub mod partners;
pub mod registry;
pub mod territory;
pub mod volunteering;
