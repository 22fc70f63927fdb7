//! 通知公告 — what a community tells its residents: a title, a text, and who
//! it is for (everyone, one grid, or the people with a care tag). Checked
//! here before anything is stored.

use crate::access::RegionCode;
use thiserror::Error;

/// The longest title (a phone shows about two lines of it).
pub const TITLE_MAX: usize = 40;
/// The longest text.
pub const BODY_MAX: usize = 5000;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum NoticeError {
    #[error("请填写标题(不超过 {TITLE_MAX} 字)")]
    Title,
    #[error("请填写正文(不超过 {BODY_MAX} 字)")]
    Body,
    #[error("请选择发给谁")]
    Audience,
}

/// Who a notice is for, inside one community.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audience {
    /// every resident account of the community
    All,
    /// the residents living in one grid (a grid's code)
    Grid(RegionCode),
    /// the residents with one care tag (its id), e.g. 独居老人
    Tag(i64),
}

impl Audience {
    /// From a form's `kind` (`all`, `grid`, `tag`) and its `value`.
    pub fn parse(kind: &str, value: &str) -> Result<Audience, NoticeError> {
        match kind {
            "all" => Ok(Audience::All),
            "grid" => value
                .trim()
                .parse::<RegionCode>()
                .ok()
                .filter(|c| c.as_str().len() > 12)
                .map(Audience::Grid)
                .ok_or(NoticeError::Audience),
            "tag" => value
                .trim()
                .parse()
                .map(Audience::Tag)
                .map_err(|_| NoticeError::Audience),
            _ => Err(NoticeError::Audience),
        }
    }
    /// The stored kind and reference.
    pub fn stored(&self) -> (&'static str, Option<String>) {
        match self {
            Audience::All => ("all", None),
            Audience::Grid(c) => ("grid", Some(c.to_string())),
            Audience::Tag(id) => ("tag", Some(id.to_string())),
        }
    }
}

/// A notice's title and text, trimmed and checked.
pub fn check(title: &str, body: &str) -> Result<(String, String), NoticeError> {
    let t = title.trim();
    if t.is_empty() || t.chars().count() > TITLE_MAX || t.chars().any(char::is_control) {
        return Err(NoticeError::Title);
    }
    let b = body.trim();
    if b.is_empty()
        || b.chars().count() > BODY_MAX
        || b.chars()
            .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(NoticeError::Body);
    }
    Ok((t.to_owned(), b.replace("\r\n", "\n")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_and_texts_are_checked() {
        assert_eq!(
            check(" 停水通知 ", "明天 9:00–17:00 停水。\r\n请提前储水。"),
            Ok((
                "停水通知".into(),
                "明天 9:00–17:00 停水。\n请提前储水。".into()
            ))
        );
        assert_eq!(check("", "x"), Err(NoticeError::Title));
        assert_eq!(
            check(&"长".repeat(TITLE_MAX + 1), "x"),
            Err(NoticeError::Title)
        );
        assert_eq!(check("通知", "  "), Err(NoticeError::Body));
        assert_eq!(check("通知", "a\u{0}b"), Err(NoticeError::Body));
    }

    #[test]
    fn audiences_parse_from_the_form() {
        assert_eq!(Audience::parse("all", ""), Ok(Audience::All));
        assert_eq!(
            Audience::parse("grid", "220103008003001"),
            Ok(Audience::Grid("220103008003001".parse().unwrap()))
        );
        // a community's code is not a grid
        assert_eq!(
            Audience::parse("grid", "220103008003"),
            Err(NoticeError::Audience)
        );
        assert_eq!(Audience::parse("tag", "3"), Ok(Audience::Tag(3)));
        assert_eq!(Audience::parse("tag", "x"), Err(NoticeError::Audience));
        assert_eq!(Audience::parse("everyone", ""), Err(NoticeError::Audience));
        assert_eq!(Audience::Tag(3).stored(), ("tag", Some("3".into())));
    }
}
