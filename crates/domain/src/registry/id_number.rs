//! 公民身份号码 (GB 11643-1999): 6-digit address code, 8-digit birth date,
//! 3-digit sequence (odd for men), and a check character
//! `"10X98765432"[Σ dᵢ·wᵢ mod 11]`. 15-digit numbers issued before 1999
//! are upgraded (insert `19`, add the check character). The foreign
//! permanent-resident card (2023 edition) starts with `9` and follows the
//! same layout; so do the 港澳台居民居住证 numbers (810000/820000/830000).
//! Abolished address codes are not rejected: people keep their numbers.

use crate::territory::places::normalise_cell;
use std::fmt;
use time::{Date, Month};

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: &[u8; 11] = b"10X98765432";

/// Why a text is not an ID number. Messages are Chinese: they reach people.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("证件号码为空")]
    Empty,
    #[error("身份证号应为 18 位(或旧版 15 位),实际 {0} 位")]
    Length(usize),
    #[error("身份证号含有非法字符(前 17 位应为数字,末位为数字或 X)")]
    Characters,
    #[error("身份证号中的出生日期 {0} 不存在")]
    BirthDate(String),
    #[error("身份证号中的出生日期 {0} 晚于今天")]
    FutureBirth(String),
    #[error("身份证号校验位错误(应为 {expected})")]
    Checksum { expected: char },
}

/// What kind of number it is, from its first digit and address code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CnIdKind {
    /// 居民身份证
    Resident,
    /// 外国人永久居留身份证 (starts with 9)
    ForeignPermanent,
    /// 港澳台居民居住证 (810000 / 820000 / 830000)
    HkMacaoTaiwan,
}

/// A valid 18-character ID number. Its `Debug` is redacted and it has no
/// `Display`: the clear value leaves only through [`CnId::expose`].
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct CnId {
    number: String,
    birth: Date,
    male: bool,
    upgraded: bool,
}

impl fmt::Debug for CnId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CnId({})", self.masked())
    }
}

fn check_char(first17: &[u8]) -> char {
    let sum: u32 = first17
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    char::from(CHECK[(sum % 11) as usize])
}

fn birth_date(s: &str) -> Result<Date, IdError> {
    let bad = || IdError::BirthDate(s.to_owned());
    let y: i32 = s[0..4].parse().map_err(|_| bad())?;
    let m: u8 = s[4..6].parse().map_err(|_| bad())?;
    let d: u8 = s[6..8].parse().map_err(|_| bad())?;
    let month = Month::try_from(m).map_err(|_| bad())?;
    if y < 1850 {
        return Err(bad());
    }
    Date::from_calendar_date(y, month, d).map_err(|_| bad())
}

impl CnId {
    /// Parses an ID number as people type it: full-width digits, spaces
    /// and a lower-case `x` are accepted; 15-digit numbers are upgraded.
    /// `today` bounds the birth date.
    pub fn parse(text: &str, today: Date) -> Result<CnId, IdError> {
        let s: String = normalise_cell(text)
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let (number, upgraded) = match s.len() {
            0 => return Err(IdError::Empty),
            15 => {
                if !s.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(IdError::Characters);
                }
                let first17 = format!("{}19{}", &s[..6], &s[6..]);
                let check = check_char(first17.as_bytes());
                (format!("{first17}{check}"), true)
            }
            18 => (s, false),
            n => return Err(IdError::Length(n)),
        };
        let bytes = number.as_bytes();
        if !bytes[..17].iter().all(u8::is_ascii_digit)
            || !(bytes[17].is_ascii_digit() || bytes[17] == b'X')
        {
            return Err(IdError::Characters);
        }
        let birth = birth_date(&number[6..14])?;
        if birth > today {
            return Err(IdError::FutureBirth(number[6..14].to_owned()));
        }
        let expected = check_char(&bytes[..17]);
        if char::from(bytes[17]) != expected {
            return Err(IdError::Checksum { expected });
        }
        let male = (bytes[16] - b'0') % 2 == 1;
        Ok(CnId {
            number,
            birth,
            male,
            upgraded,
        })
    }

    /// The clear number, for encryption and the blind index only.
    pub fn expose(&self) -> &str {
        &self.number
    }

    pub fn birth(&self) -> Date {
        self.birth
    }

    pub fn is_male(&self) -> bool {
        self.male
    }

    /// Whether it came in as a 15-digit legacy number.
    pub fn was_upgraded(&self) -> bool {
        self.upgraded
    }

    pub fn kind(&self) -> CnIdKind {
        match &self.number[..6] {
            "810000" | "820000" | "830000" => CnIdKind::HkMacaoTaiwan,
            _ if self.number.starts_with('9') => CnIdKind::ForeignPermanent,
            _ => CnIdKind::Resident,
        }
    }

    /// `110105********002X`: the address code and the last four.
    pub fn masked(&self) -> String {
        format!("{}********{}", &self.number[..6], &self.number[14..])
    }
}

/// Builds a valid number from its first 17 digits (for seeds and tests).
pub fn with_check_char(first17: &str) -> Option<String> {
    (first17.len() == 17 && first17.bytes().all(|b| b.is_ascii_digit()))
        .then(|| format!("{first17}{}", check_char(first17.as_bytes())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 11 - 22);

    fn ok(s: &str) -> CnId {
        CnId::parse(s, TODAY).unwrap()
    }

    #[test]
    fn the_standards_examples_verify() {
        let a = ok("11010519491231002X");
        assert_eq!(a.birth(), date!(1949 - 12 - 31));
        assert!(!a.is_male());
        assert_eq!(a.masked(), "110105********002X");
        let b = ok("440524188001010014");
        assert!(b.is_male());
        assert_eq!(b.birth(), date!(1880 - 01 - 01));
        assert_eq!(b.kind(), CnIdKind::Resident);
    }

    #[test]
    fn typing_variants_are_normalised() {
        assert_eq!(ok("11010519491231002x").expose(), "11010519491231002X");
        assert_eq!(ok(" 110105 19491231 002X ").expose(), "11010519491231002X");
        assert_eq!(
            ok("１１０１０５１９４９１２３１００２Ｘ").expose(),
            "11010519491231002X"
        );
    }

    #[test]
    fn legacy_fifteen_digit_numbers_are_upgraded() {
        // 110105491231002 → 11010519491231002X
        let id = ok("110105491231002");
        assert_eq!(id.expose(), "11010519491231002X");
        assert!(id.was_upgraded());
    }

    #[test]
    fn foreign_and_hk_macao_taiwan_numbers_are_accepted() {
        let foreign = with_check_char("93110519800101001").unwrap();
        assert_eq!(ok(&foreign).kind(), CnIdKind::ForeignPermanent);
        let hk = with_check_char("81000019900101002").unwrap();
        assert_eq!(ok(&hk).kind(), CnIdKind::HkMacaoTaiwan);
    }

    #[test]
    fn bad_numbers_say_why() {
        assert_eq!(
            CnId::parse("110105194912310021", TODAY),
            Err(IdError::Checksum { expected: 'X' })
        );
        assert_eq!(CnId::parse("", TODAY), Err(IdError::Empty));
        assert_eq!(CnId::parse("1101051949", TODAY), Err(IdError::Length(10)));
        assert_eq!(
            CnId::parse("11010519491231X02X", TODAY),
            Err(IdError::Characters)
        );
        let feb30 = with_check_char("11010519490230002").unwrap();
        assert!(matches!(
            CnId::parse(&feb30, TODAY),
            Err(IdError::BirthDate(_))
        ));
        let future = with_check_char("11010520300101002").unwrap();
        assert!(matches!(
            CnId::parse(&future, TODAY),
            Err(IdError::FutureBirth(_))
        ));
    }

    #[test]
    fn debug_never_shows_the_number() {
        let s = format!("{:?}", ok("11010519491231002X"));
        assert!(!s.contains("19491231"), "{s}");
    }
}
