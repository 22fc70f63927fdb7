//! A link to media a partner's system keeps for a request (Open311
//! `media_url`): stored and shown as a link, never fetched by the server
//! (no request to an address someone else chose).

use super::CaseError;

/// The longest link kept.
pub const MEDIA_URL_MAX: usize = 500;

/// The link as kept: trimmed, `http://` or `https://` with a host, no
/// spaces, quotes, angle brackets or control characters; none when empty.
pub fn media_url(s: &str) -> Result<Option<String>, CaseError> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let lower = s.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
        .ok_or(CaseError::MediaUrl)?;
    let host_ok = rest
        .split(['/', '?', '#'])
        .next()
        .is_some_and(|h| !h.is_empty() && !h.starts_with('@'));
    let clean = !s.chars().any(|c| {
        c.is_whitespace() || c.is_control() || matches!(c, '"' | '\'' | '<' | '>' | '\\' | '`')
    });
    if s.len() > MEDIA_URL_MAX || !host_ok || !clean {
        return Err(CaseError::MediaUrl);
    }
    Ok(Some(s.to_owned()))
}

/// Whether a kept link is shown as a link: `https://` to one of the
/// `hosts` the deployment trusts (exactly, case-insensitive). Any other is
/// shown as text, so a reporter cannot plant a phishing link staff click.
pub fn linkable(url: &str, hosts: &[String]) -> bool {
    let lower = url.to_ascii_lowercase();
    let Some(rest) = lower.strip_prefix("https://") else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return false;
    }
    let host = authority.split(':').next().unwrap_or_default();
    hosts.iter().any(|h| h.eq_ignore_ascii_case(host))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_to_a_trusted_host_is_a_link() {
        let hosts = vec!["img.partner.cn".to_owned()];
        assert!(linkable("https://img.partner.cn/a.jpg", &hosts));
        assert!(linkable("HTTPS://IMG.partner.cn:443/a.jpg", &hosts));
        assert!(!linkable("http://img.partner.cn/a.jpg", &hosts));
        assert!(!linkable(
            "https://img.partner.cn.evil.example/a.jpg",
            &hosts
        ));
        assert!(!linkable(
            "https://img.partner.cn@evil.example/a.jpg",
            &hosts
        ));
        assert!(!linkable("https://evil.example/a.jpg", &hosts));
        assert!(!linkable("https://img.partner.cn/a.jpg", &[]));
    }

    #[test]
    fn only_plain_web_links_are_kept() {
        assert_eq!(media_url("  "), Ok(None));
        assert_eq!(
            media_url(" https://img.example.cn/a/1.jpg?x=1 ")
                .unwrap()
                .as_deref(),
            Some("https://img.example.cn/a/1.jpg?x=1")
        );
        assert!(media_url("HTTP://Example.org/x.png").unwrap().is_some());
        for bad in [
            "javascript:alert(1)",
            "data:image/png;base64,AAAA",
            "ftp://example.org/x",
            "https://",
            "https:///path",
            "https://example.org/a b.jpg",
            "https://example.org/\"onmouseover=x",
            "https://example.org/<script>",
        ] {
            assert_eq!(media_url(bad), Err(CaseError::MediaUrl), "{bad}");
        }
        let long = format!("https://example.org/{}", "a".repeat(500));
        assert_eq!(media_url(&long), Err(CaseError::MediaUrl));
    }
}
