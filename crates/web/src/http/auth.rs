//! Who is asking: a browser session (cookie) or an API token (`Authorization: Bearer`).

use crate::AppState;
use crate::http::error::WebError;
use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::header::{AUTHORIZATION, COOKIE};
use axum::http::request::Parts;
use linli_app::accounts::auth::{Credential, Principal};
use linli_app::accounts::second_factor::Gate;

/// Cookie names. Behind TLS the `__Host-` prefix pins them to this host
/// and path `/` and requires `Secure`.
#[derive(Debug, Clone, Copy)]
pub struct CookieNames {
    pub session: &'static str,
    pub csrf: &'static str,
    pub secure: bool,
}

impl CookieNames {
    pub fn new(secure: bool) -> CookieNames {
        if secure {
            CookieNames {
                session: "__Host-linli_session",
                csrf: "__Host-linli_csrf",
                secure,
            }
        } else {
            CookieNames {
                session: "linli_session",
                csrf: "linli_csrf",
                secure,
            }
        }
    }

    /// A `Set-Cookie` value: HttpOnly, SameSite=Lax, path `/`.
    pub fn set(&self, name: &'static str, value: String, max_age_secs: Option<i64>) -> String {
        let mut c = cookie::Cookie::build((name, value))
            .path("/")
            .http_only(true)
            .same_site(cookie::SameSite::Lax)
            .secure(self.secure);
        if let Some(s) = max_age_secs {
            c = c.max_age(cookie::time::Duration::seconds(s));
        }
        c.build().to_string()
    }
}

/// The value of cookie `name` in the request headers.
pub fn read_cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Marks a route the page calls on its own (an event stream, a poll): its
/// requests do not count as the user's activity, so an abandoned tab
/// signs out at the idle timeout. Add it as the route's `Extension`.
#[derive(Debug, Clone, Copy)]
pub struct Background;

/// The authenticated user, if any. A request with an `Authorization`
/// header is judged by it alone; cookies are then ignored.
#[derive(Debug, Clone)]
pub struct MaybeUser(pub Option<Principal>);

impl FromRequestParts<AppState> for MaybeUser {
    type Rejection = WebError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(cached) = parts.extensions.get::<MaybeUser>() {
            return Ok(cached.clone());
        }
        let principal = if let Some(h) = parts.headers.get(AUTHORIZATION) {
            match h.to_str().ok().and_then(|v| v.strip_prefix("Bearer ")) {
                Some(token) => state.app.principal_from_token(token.trim()).await?,
                None => None,
            }
        } else {
            let names = CookieNames::new(state.config.secure_cookies);
            // what the page does on its own is not the user's activity
            let activity = parts.extensions.get::<Background>().is_none();
            match read_cookie(&parts.headers, names.session) {
                Some(secret) => state.app.session_principal(secret, activity).await?,
                None => None,
            }
        };
        let gate = match &principal {
            Some(p) => state.app.gate(p).await?,
            None => Gate::Open,
        };
        parts.extensions.insert(gate);
        let found = MaybeUser(principal);
        parts.extensions.insert(found.clone());
        Ok(found)
    }
}

/// A signed-in session whatever its gate: for the second-factor page and
/// logout, which a session waiting for its second factor may use.
pub struct PendingUser(pub Principal);

impl FromRequestParts<AppState> for PendingUser {
    type Rejection = WebError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match MaybeUser::from_request_parts(parts, state).await?.0 {
            Some(p) => Ok(PendingUser(p)),
            None => Err(WebError::LoginRequired),
        }
    }
}

fn gate_of(parts: &Parts) -> Gate {
    parts
        .extensions
        .get::<Gate>()
        .copied()
        .unwrap_or(Gate::Open)
}

/// A logged-in user, who may still have to change a one-time password
/// (for the password page and logout).
pub struct SessionUser(pub Principal);

impl FromRequestParts<AppState> for SessionUser {
    type Rejection = WebError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match MaybeUser::from_request_parts(parts, state).await?.0 {
            // the password alone is not a sign-in when a second factor is set
            Some(_) if gate_of(parts) == Gate::SecondFactor => Err(WebError::SecondFactorRequired),
            Some(p) => Ok(SessionUser(p)),
            None => Err(WebError::LoginRequired),
        }
    }
}

/// A logged-in user who may use the application: a session that still
/// holds a one-time password is sent to change it first.
pub struct CurrentUser(pub Principal);

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = WebError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let SessionUser(p) = SessionUser::from_request_parts(parts, state).await?;
        if p.must_change_password && matches!(p.credential, Credential::Session { .. }) {
            return Err(WebError::PasswordChangeRequired);
        }
        if gate_of(parts) == Gate::EnrolFirst {
            return Err(WebError::SecondFactorEnrol);
        }
        Ok(CurrentUser(p))
    }
}
