//! 联系电话: mobile numbers (`^(\+86)?1[3-9]\d{9}$`) and landlines with
//! an area code (`0431-85551234`). Kept as digits; `Debug` is redacted.

use crate::territory::places::normalise_cell;
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("联系电话格式不正确(手机号 11 位,座机请带区号,如 0431-85551234)")]
pub struct PhoneError;

#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Phone(String);

impl fmt::Debug for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Phone({})", self.masked())
    }
}

impl Phone {
    pub fn parse(text: &str) -> Result<Phone, PhoneError> {
        let s: String = normalise_cell(text)
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '(' | ')'))
            .collect();
        let s = s
            .strip_prefix("+86")
            .or_else(|| s.strip_prefix("0086"))
            .unwrap_or(&s);
        if !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(PhoneError);
        }
        let b = s.as_bytes();
        let mobile = b.len() == 11 && b[0] == b'1' && (b'3'..=b'9').contains(&b[1]);
        // 0 + 2–3 digit area code + 7–8 digit number
        let landline = b.first() == Some(&b'0') && (10..=12).contains(&b.len());
        if mobile || landline {
            Ok(Phone(s.to_owned()))
        } else {
            Err(PhoneError)
        }
    }

    /// The clear number, for encryption and the blind index only.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_mobile(&self) -> bool {
        self.0.starts_with('1')
    }

    /// `138****1234`; a landline keeps its area code: `0431****1234`.
    pub fn masked(&self) -> String {
        let n = &self.0;
        // mobiles and the 3-digit area codes (010, 02x) keep 3 digits
        let short_head = self.is_mobile() || n.starts_with("01") || n.starts_with("02");
        let head = if short_head { 3 } else { 4 };
        format!("{}****{}", &n[..head], &n[n.len() - 4..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mobiles_and_landlines() {
        assert_eq!(Phone::parse("13812341234").unwrap().masked(), "138****1234");
        assert_eq!(
            Phone::parse("+86 138-1234-1234").unwrap().expose(),
            "13812341234"
        );
        assert_eq!(
            Phone::parse("１３８１２３４１２３４").unwrap().expose(),
            "13812341234"
        );
        assert_eq!(
            Phone::parse("0431-85551234").unwrap().masked(),
            "0431****1234"
        );
        assert_eq!(
            Phone::parse("010-65551234").unwrap().masked(),
            "010****1234"
        );
        for bad in [
            "",
            "12812341234",
            "1381234123",
            "138123412345",
            "abc",
            "85551234",
        ] {
            assert!(Phone::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn debug_is_masked() {
        let p = Phone::parse("13812345678").unwrap();
        assert!(!format!("{p:?}").contains("2345678"));
    }
}
