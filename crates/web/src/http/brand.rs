//! Who runs this deployment, for every page's footer: the 主办单位 (the
//! street office or community running it), 技术支持 and a service hotline
//! with tap-to-call. Set once per process from [`crate::WebConfig`]; pages
//! read it through [`footer`] so that no page struct carries it.

use std::sync::OnceLock;

/// The footer lines; an empty one is left out.
#[derive(Debug, Clone, Default)]
pub struct Footer {
    pub host: Option<String>,
    pub support: Option<String>,
    pub hotline: Option<String>,
}

static FOOTER: OnceLock<Footer> = OnceLock::new();

/// Sets the footer; the first router built in a process wins (a server
/// builds one; tests that build many share the first one's lines).
pub fn set(footer: Footer) {
    let _ = FOOTER.set(footer);
}

/// The footer lines of this deployment.
pub fn footer() -> &'static Footer {
    static NONE: Footer = Footer {
        host: None,
        support: None,
        hotline: None,
    };
    FOOTER.get().unwrap_or(&NONE)
}
