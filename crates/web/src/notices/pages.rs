//! The notice pages. Handlers read the form, call `linli_app`, render.

use crate::AppState;
use crate::http::auth::CurrentUser;
use crate::http::csrf::CsrfToken;
use crate::http::error::WebError;
use crate::http::nav::Nav;
use crate::http::render::{page, redirect_with};
use crate::http::upload::{self, PhotoForm};
use crate::http::util::{ClientIp, beijing_time};
use askama::Template;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::StatusCode;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::IntoResponse;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Extension, Router};
use linli_app::accounts::auth::Principal;
use linli_app::notices::{Notice, NoticeDraft};
use linli_domain::access::{Permission, RegionCode, allowed};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/notices",
            get(list_page)
                .post(publish)
                .layer(DefaultBodyLimit::max(upload::LIMIT)),
        )
        .route("/notices/{id}/images/{image}", get(image))
        .route("/notices/new", get(new_page))
        .route("/notices/{id}", get(one_page))
        .route("/notices/{id}/withdraw", post(withdraw))
}

/// A notice as a list line or a page shows it.
struct NoticeLine {
    id: i64,
    title: String,
    body: String,
    audience: String,
    author: String,
    at: String,
    recipients: i64,
    read: i64,
    withdrawn: bool,
    /// the viewer has read it (residents' lists)
    seen: bool,
}

impl NoticeLine {
    fn of(n: Notice, seen: bool) -> NoticeLine {
        NoticeLine {
            id: n.id,
            title: n.title,
            body: n.body,
            audience: n.audience_label,
            author: n.author_name,
            at: beijing_time(n.published_at.0),
            recipients: n.recipients,
            read: n.read,
            withdrawn: n.withdrawn_at.is_some(),
            seen,
        }
    }
}

#[derive(Template)]
#[template(path = "notices/list.html")]
struct ListPage {
    csrf: String,
    nav_user: Option<Nav>,
    mine: Vec<NoticeLine>,
    managed: Vec<NoticeLine>,
    publishes: bool,
    flash: Option<String>,
    flash_error: bool,
}

async fn list_page(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    CurrentUser(user): CurrentUser,
    Query(f): Query<crate::http::render::Flash>,
) -> Result<Response, WebError> {
    let publishes = linli_app::App::publishes_notices(&user);
    let managed = if publishes {
        state.app.notices_managed(&user).await?
    } else {
        Vec::new()
    };
    let mine = state.app.my_notices(&user).await?;
    let p = ListPage {
        csrf: csrf.0,
        nav_user: Some(Nav::of(&user)),
        mine: mine
            .into_iter()
            .map(|(n, seen)| NoticeLine::of(n, seen))
            .collect(),
        managed: managed
            .into_iter()
            .map(|n| NoticeLine::of(n, true))
            .collect(),
        publishes,
        flash_error: f.is_error(),
        flash: f.msg,
    };
    page(StatusCode::OK, &p)
}

#[derive(Template)]
#[template(path = "notices/notice.html")]
struct OnePage {
    csrf: String,
    nav_user: Option<Nav>,
    n: NoticeLine,
    /// (image id, width, height)
    images: Vec<(i64, i64, i64)>,
    /// staff who publish where it belongs: read counts and withdraw
    manages: bool,
    flash: Option<String>,
    flash_error: bool,
}

async fn one_page(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
    Query(f): Query<crate::http::render::Flash>,
) -> Result<Response, WebError> {
    let (n, manages) = state.app.open_notice(&user, id).await?;
    let images = state.app.notice_images(&user, id).await?;
    let p = OnePage {
        images,
        csrf: csrf.0,
        nav_user: Some(Nav::of(&user)),
        n: NoticeLine::of(n, true),
        manages,
        flash_error: f.is_error(),
        flash: f.msg,
    };
    page(StatusCode::OK, &p)
}

#[derive(Template)]
#[template(path = "notices/new.html")]
struct NewPage {
    csrf: String,
    nav_user: Option<Nav>,
    /// (code, name) of the communities the caller publishes to
    communities: Vec<(String, String)>,
    community: String,
    /// (code, name) of the community's grids the caller publishes to
    grids: Vec<(String, String)>,
    /// (id, name) of the care tags
    tags: Vec<(i64, String)>,
    /// the whole community is theirs (else only their grids)
    whole: bool,
}

#[derive(Deserialize)]
struct NewQuery {
    community: Option<String>,
}

/// The communities where the caller publishes: their own, or those under
/// the street they serve.
async fn communities(state: &AppState, user: &Principal) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for g in user
        .grants
        .iter()
        .filter(|g| Permission::PublishNotices.roles().contains(&g.role))
    {
        let codes: Vec<RegionCode> = match g.scope.community() {
            Some(c) => vec![c],
            None => match state.app.region_with_children(&g.scope).await {
                Ok((_, children)) => children.into_iter().map(|r| r.code).collect(),
                Err(_) => Vec::new(),
            },
        };
        for c in codes {
            let name = match state.app.region_with_children(&c).await {
                Ok((r, _)) => r.name,
                Err(_) => continue,
            };
            if !out.iter().any(|(k, _)| *k == c.to_string()) {
                out.push((c.to_string(), name));
            }
        }
    }
    out
}

async fn new_page(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    CurrentUser(user): CurrentUser,
    Query(q): Query<NewQuery>,
) -> Result<Response, WebError> {
    let communities = communities(&state, &user).await;
    let community = q
        .community
        .filter(|c| communities.iter().any(|(k, _)| k == c))
        .or_else(|| communities.first().map(|(k, _)| k.clone()))
        .ok_or(linli_app::AppError::Forbidden)?;
    let code: RegionCode = community
        .parse()
        .map_err(|_| linli_app::AppError::NotFound)?;
    let view = state.app.community(&user, &code).await?;
    let grids = view
        .grids
        .iter()
        .filter(|g| allowed(&user.grants, Permission::PublishNotices, &g.grid.code))
        .map(|g| (g.grid.code.to_string(), g.grid.name.clone()))
        .collect();
    let whole = allowed(&user.grants, Permission::PublishNotices, &code);
    let tags = state
        .app
        .care_tags()
        .await?
        .into_iter()
        .map(|t| (t.id, t.name))
        .collect();
    let p = NewPage {
        csrf: csrf.0,
        nav_user: Some(Nav::of(&user)),
        communities,
        community,
        grids,
        tags,
        whole,
    };
    page(StatusCode::OK, &p)
}

#[derive(Deserialize)]
struct PublishForm {
    community: String,
    title: String,
    body: String,
    audience: String,
    #[serde(default)]
    grid: String,
    #[serde(default)]
    tag: String,
}

async fn publish(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ClientIp(ip): ClientIp,
    form: PhotoForm<PublishForm>,
) -> Result<Response, WebError> {
    let PhotoForm {
        form: f,
        photos,
        photo_error,
    } = form;
    if let Some(e) = photo_error {
        return redirect_with(
            "/notices/new",
            Vec::new(),
            Err(linli_app::AppError::Invalid(e.to_string())),
        );
    }
    let value = match f.audience.as_str() {
        "grid" => f.grid.clone(),
        "tag" => f.tag.clone(),
        _ => String::new(),
    };
    let draft = NoticeDraft {
        community: f.community,
        title: f.title,
        body: f.body,
        audience: f.audience,
        audience_value: value,
        photos,
    };
    match state
        .app
        .publish_notice(&user, &draft, &user.actor(&ip))
        .await
    {
        Ok((id, sent)) => redirect_with(
            &format!("/notices/{id}"),
            Vec::new(),
            Ok(format!("已发布,发给 {sent} 位居民")),
        ),
        Err(e) => redirect_with("/notices", Vec::new(), Err(e)),
    }
}

/// A notice's picture, for whoever may open the notice.
async fn image(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((id, image)): Path<(i64, i64)>,
) -> Result<Response, WebError> {
    let jpeg = state.app.notice_image(&user, id, image).await?;
    Ok((
        [
            (CONTENT_TYPE, "image/jpeg"),
            (CACHE_CONTROL, "private, max-age=3600"),
        ],
        jpeg,
    )
        .into_response())
}

async fn withdraw(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let r = state
        .app
        .withdraw_notice(&user, id, &user.actor(&ip))
        .await
        .map(|()| "已撤回,居民不再看到这条通知".to_owned());
    redirect_with(&format!("/notices/{id}"), Vec::new(), r)
}
