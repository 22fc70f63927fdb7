//! What a resident search box holds, and who may search by number.
//!
//! An exact ID or phone search is an oracle against the mask: a viewer who
//! sees `110105********002X` could try the 10⁴ hidden birth dates one by
//! one. So number searches are for those who may reveal the number anyway,
//! are audited and rate-limited, and never travel in a URL; a name search
//! by those who cannot reveal matches whole names only (a prefix would
//! narrow `王`, `王秀`, `王秀兰` to one person).

use super::{CnId, Phone};
use time::Date;

/// At most this many ID or phone searches per user per hour (counted from
/// the audit log, so a restart does not reset it).
pub const NUMBER_SEARCHES_PER_HOUR: i64 = 60;

/// The text of a search box, classified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchText {
    /// a whole, valid 居民身份证 number
    IdCard(String),
    /// a whole phone number, normalised
    Phone(String),
    /// 3–4 digits: the visible head or tail of a masked phone
    PhonePart(String),
    /// five or more digits that are not an ID card or phone: another
    /// document's number, upper-cased
    OtherDocument(String),
    /// anything else: a name
    Name(String),
}

impl SearchText {
    /// Classifies already-normalised, non-empty text.
    pub fn classify(text: &str, today: Date) -> SearchText {
        let digits = text.chars().filter(char::is_ascii_digit).count();
        if let Ok(id) = CnId::parse(text, today) {
            SearchText::IdCard(id.expose().to_owned())
        } else if let Ok(p) = Phone::parse(text) {
            SearchText::Phone(p.expose().to_owned())
        } else if (3..=4).contains(&digits) && digits == text.chars().count() {
            SearchText::PhonePart(text.to_owned())
        } else if digits >= 5 {
            SearchText::OtherDocument(text.to_ascii_uppercase())
        } else {
            SearchText::Name(text.to_owned())
        }
    }

    /// Whether this looks a person up by a whole number (an oracle against
    /// the mask, and personal data that must not sit in a URL).
    pub fn is_number(&self) -> bool {
        matches!(
            self,
            SearchText::IdCard(_) | SearchText::Phone(_) | SearchText::OtherDocument(_)
        )
    }

    /// The kind, for the audit record (never the number itself).
    pub fn kind(&self) -> &'static str {
        match self {
            SearchText::IdCard(_) => "id_card",
            SearchText::Phone(_) => "phone",
            SearchText::PhonePart(_) => "phone_part",
            SearchText::OtherDocument(_) => "document",
            SearchText::Name(_) => "name",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 12 - 07);

    #[test]
    fn numbers_and_names_are_told_apart() {
        let c = |s: &str| SearchText::classify(s, TODAY);
        let id = crate::registry::with_check_char("11010519491231002").unwrap();
        assert_eq!(c(&id), SearchText::IdCard(id.clone()));
        assert!(matches!(c("13812345678"), SearchText::Phone(_)));
        assert_eq!(c("5678"), SearchText::PhonePart("5678".into()));
        assert_eq!(c("e1234567"), SearchText::OtherDocument("E1234567".into()));
        assert_eq!(c("王秀"), SearchText::Name("王秀".into()));
        assert!(c("13812345678").is_number());
        assert!(c("e1234567").is_number());
        assert!(!c("5678").is_number());
        assert!(!c("王秀兰").is_number());
        // a wrong check character is not an ID card, but still a number
        let wrong = format!("{}{}", &id[..17], if id.ends_with('0') { '1' } else { '0' });
        assert!(matches!(c(&wrong), SearchText::OtherDocument(_)));
    }
}
