//! Open311 GeoReport v2 under `/open311/v2` (references/open311-georeport-v2.md):
//! discovery, services, a service definition, POST and GET requests, one
//! request and tokens, each as `.json` or `.xml`, with the spec's error
//! bodies. Requests are filed with an `api_key` in the form; reads need
//! none and show only public fields.

use crate::AppState;
use crate::http::error::Rendered;
use crate::http::util::ClientIp;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use linli_app::AppError;
use linli_app::cases::open311::{PublicRequest, RequestQuery, Service, Submission};
use linli_domain::time::UnixMs;
use serde_json::{Value, json};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/open311/v2/{file}", get(top).post(post_requests))
        .route("/open311/v2/services/{file}", get(definition))
        .route("/open311/v2/requests/{file}", get(one_request))
        .route("/open311/v2/tokens/{file}", get(token))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Json,
    Xml,
}

/// `services.json` → ("services", Json).
fn split(file: &str) -> Option<(&str, Format)> {
    let (name, ext) = file.rsplit_once('.')?;
    let f = match ext {
        "json" => Format::Json,
        "xml" => Format::Xml,
        _ => return None,
    };
    Some((name, f))
}

/// A value for both formats: JSON as is; XML by the Spark convention
/// (an array's items are elements named `item`).
fn xml(root: &str, item: &str, v: &Value) -> String {
    fn esc(s: &str) -> String {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
            .replace('\'', "&apos;")
    }
    fn write(out: &mut String, name: &str, item: &str, v: &Value) {
        match v {
            Value::Array(xs) => {
                out.push_str(&format!("<{name}>"));
                for x in xs {
                    write(out, item, "value", x);
                }
                out.push_str(&format!("</{name}>"));
            }
            Value::Object(m) => {
                out.push_str(&format!("<{name}>"));
                for (k, x) in m {
                    let child = match k.as_str() {
                        "attributes" => "attribute",
                        "values" => "value",
                        "formats" => "format",
                        "endpoints" => "endpoint",
                        _ => "item",
                    };
                    write(out, k, child, x);
                }
                out.push_str(&format!("</{name}>"));
            }
            Value::Null => out.push_str(&format!("<{name}/>")),
            Value::String(s) => out.push_str(&format!("<{name}>{}</{name}>", esc(s))),
            other => out.push_str(&format!("<{name}>{other}</{name}>")),
        }
    }
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    write(&mut out, root, item, v);
    out
}

fn respond(status: StatusCode, f: Format, root: &str, item: &str, v: &Value) -> Response {
    let mut res = match f {
        Format::Json => (
            status,
            [(CONTENT_TYPE, "application/json; charset=utf-8")],
            v.to_string(),
        )
            .into_response(),
        Format::Xml => (
            status,
            [(CONTENT_TYPE, "text/xml; charset=utf-8")],
            xml(root, item, v),
        )
            .into_response(),
    };
    res.extensions_mut().insert(Rendered);
    res
}

/// The spec's error body: 404 for what does not exist, 403 for a missing
/// or wrong api_key, 400 for anything else.
fn error(f: Format, status: StatusCode, description: &str) -> Response {
    let body = json!([{"code": status.as_u16(), "description": description}]);
    respond(status, f, "errors", "error", &body)
}

fn app_error(f: Format, e: AppError) -> Response {
    match e {
        AppError::Forbidden => error(f, StatusCode::FORBIDDEN, "missing or invalid api_key"),
        AppError::NotFound => error(f, StatusCode::NOT_FOUND, "not found"),
        AppError::Invalid(m) => error(f, StatusCode::BAD_REQUEST, &m),
        AppError::Access(m) => error(f, StatusCode::BAD_REQUEST, &m.to_string()),
        other => {
            tracing::error!(error = %other, "open311 request failed");
            error(f, StatusCode::BAD_REQUEST, "general service error")
        }
    }
}

/// W3C date-time in China time, `2026-11-22T08:15:30+08:00`.
fn w3(t: UnixMs) -> String {
    let offset = time::UtcOffset::from_whole_seconds(8 * 3600).unwrap_or(time::UtcOffset::UTC);
    let fmt = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second][offset_hour sign:mandatory]:[offset_minute]"
    );
    time::OffsetDateTime::from_unix_timestamp(t.0.div_euclid(1000))
        .ok()
        .and_then(|d| d.to_offset(offset).format(&fmt).ok())
        .unwrap_or_default()
}

fn parse_w3(s: &str) -> Option<UnixMs> {
    let t = time::OffsetDateTime::parse(s.trim(), &time::format_description::well_known::Rfc3339)
        .ok()?;
    Some(UnixMs(
        i64::try_from(t.unix_timestamp_nanos() / 1_000_000).ok()?,
    ))
}

fn service_json(s: &Service) -> Value {
    json!({
        "service_code": s.code,
        "service_name": s.name,
        "description": format!("{} › {},办理时限 {} 个工作日", s.group, s.name, s.deadline_days),
        "metadata": true,
        "type": "realtime",
        "keywords": format!("{},{}", s.group, s.name),
        "group": s.group,
    })
}

fn request_json(r: &PublicRequest) -> Value {
    json!({
        "service_request_id": r.number,
        "status": if r.open { "open" } else { "closed" },
        "status_notes": r.status_notes,
        "service_name": r.service_name,
        "service_code": r.service_code,
        "description": r.description,
        "agency_responsible": r.agency_responsible,
        "service_notice": Value::Null,
        "requested_datetime": w3(r.requested),
        "updated_datetime": w3(r.updated),
        "expected_datetime": r.expected.map(w3),
        "address": r.address,
        "address_id": Value::Null,
        "zipcode": Value::Null,
        "lat": r.lat,
        "long": r.long,
        "media_url": r.media_url,
    })
}

/// The query string's pairs (repeated keys kept).
fn pairs(q: Option<&str>) -> Vec<(String, String)> {
    serde_urlencoded::from_str(q.unwrap_or("")).unwrap_or_default()
}

fn arg<'a>(ps: &'a [(String, String)], key: &str) -> Option<&'a str> {
    ps.iter()
        .find(|(k, v)| k == key && !v.is_empty())
        .map(|(_, v)| v.as_str())
}

/// A comma-separated, possibly repeated argument.
fn list(ps: &[(String, String)], key: &str) -> Vec<String> {
    ps.iter()
        .filter(|(k, _)| k == key)
        .flat_map(|(_, v)| v.split(','))
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

/// Reads and writes share one budget per client address: the public list
/// is no cheaper to scrape than the form is to spam.
fn limited(state: &AppState, ip: &str, f: Format) -> Option<Response> {
    (!crate::http::ratelimit::allow(&state.open311_limiter, ip)).then(|| {
        error(
            f,
            StatusCode::TOO_MANY_REQUESTS,
            "too many requests, slow down",
        )
    })
}

async fn top(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Path(file): Path<String>,
    RawQuery(q): RawQuery,
) -> Response {
    let Some((name, f)) = split(&file) else {
        return error(
            Format::Json,
            StatusCode::NOT_FOUND,
            "unknown resource or format",
        );
    };
    if let Some(r) = limited(&state, &ip, f) {
        return r;
    }
    match name {
        "discovery" => {
            let host = headers
                .get(axum::http::header::HOST)
                .and_then(|h| h.to_str().ok())
                .unwrap_or("localhost");
            let scheme = if state.config.secure_cookies {
                "https"
            } else {
                "http"
            };
            let body = json!({
                "changeset": "2026-12-02T00:00:00+08:00",
                "contact": "社区服务热线",
                "key_service": "api_key: 由平台管理员以 `linli open311 key add --name 名称` 签发",
                "endpoints": [{
                    "specification": "http://wiki.open311.org/GeoReport_v2",
                    "url": format!("{scheme}://{host}/open311/v2"),
                    "changeset": "2026-12-02T00:00:00+08:00",
                    "type": "production",
                    "formats": ["text/xml", "application/json"],
                }],
            });
            respond(StatusCode::OK, f, "discovery", "endpoint", &body)
        }
        "services" => match state.app.open311_services().await {
            Ok(s) => {
                let body = Value::Array(s.iter().map(service_json).collect());
                respond(StatusCode::OK, f, "services", "service", &body)
            }
            Err(e) => app_error(f, e),
        },
        "requests" => {
            let ps = pairs(q.as_deref());
            let date = |k: &str| match arg(&ps, k) {
                None => Ok(None),
                Some(v) => parse_w3(v).map(Some).ok_or(()),
            };
            let (Ok(start), Ok(end)) = (date("start_date"), date("end_date")) else {
                return error(
                    f,
                    StatusCode::BAD_REQUEST,
                    "start_date and end_date must be w3 date-times, e.g. 2026-11-01T00:00:00Z",
                );
            };
            let statuses = list(&ps, "status");
            let open = match (
                statuses.iter().any(|s| s == "open"),
                statuses.iter().any(|s| s == "closed"),
            ) {
                (true, false) => Some(true),
                (false, true) => Some(false),
                _ if statuses.iter().any(|s| s != "open" && s != "closed") => {
                    return error(f, StatusCode::BAD_REQUEST, "status is open or closed");
                }
                _ => None,
            };
            let query = RequestQuery {
                numbers: list(&ps, "service_request_id"),
                service_codes: list(&ps, "service_code"),
                start,
                end,
                open,
            };
            match state.app.open311_requests(&query).await {
                Ok(rs) => {
                    let body = Value::Array(rs.iter().map(request_json).collect());
                    respond(StatusCode::OK, f, "service_requests", "request", &body)
                }
                Err(e) => app_error(f, e),
            }
        }
        _ => error(f, StatusCode::NOT_FOUND, "unknown resource"),
    }
}

async fn definition(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    let Some((code, f)) = split(&file) else {
        return error(Format::Json, StatusCode::NOT_FOUND, "unknown format");
    };
    let services = match state.app.open311_services().await {
        Ok(s) => s,
        Err(e) => return app_error(f, e),
    };
    if services.iter().all(|s| s.code != code) {
        return error(f, StatusCode::NOT_FOUND, "service_code not found");
    }
    let kinds: Vec<Value> = linli_domain::cases::CaseKind::ALL
        .iter()
        .map(|k| json!({"key": k.as_str(), "name": k.label_zh()}))
        .collect();
    let body = json!({
        "service_code": code,
        "attributes": [
            {"variable": true, "code": "kind", "datatype": "singlevaluelist", "required": false,
             "datatype_description": "诉求类型,默认求助", "order": 1, "description": "诉求类型", "values": kinds},
            {"variable": true, "code": "community", "datatype": "string", "required": false,
             "datatype_description": "12 位社区代码", "order": 2,
             "description": "所属社区(坐标不在任何网格内时必填)"},
        ],
    });
    respond(StatusCode::OK, f, "service_definition", "attribute", &body)
}

async fn post_requests(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(file): Path<String>,
    body: Bytes,
) -> Response {
    let Some(("requests", f)) = split(&file) else {
        return error(Format::Json, StatusCode::NOT_FOUND, "unknown resource");
    };
    if let Some(r) = limited(&state, &ip, f) {
        return r;
    }
    let ps: Vec<(String, String)> = match serde_urlencoded::from_bytes(&body) {
        Ok(p) => p,
        Err(_) => {
            return error(
                f,
                StatusCode::BAD_REQUEST,
                "the body must be application/x-www-form-urlencoded UTF-8",
            );
        }
    };
    let text = |k: &str| arg(&ps, k).unwrap_or("").to_owned();
    let number = |k: &str| match arg(&ps, k) {
        None => Ok(None),
        Some(v) => v.trim().parse::<f64>().map(Some).map_err(|_| ()),
    };
    let (Ok(lat), Ok(long)) = (number("lat"), number("long")) else {
        return error(f, StatusCode::BAD_REQUEST, "lat and long must be numbers");
    };
    let Some(code) = arg(&ps, "service_code") else {
        return error(f, StatusCode::BAD_REQUEST, "service_code is required");
    };
    let submission = Submission {
        service_code: code.to_owned(),
        lat,
        long,
        address_string: text("address_string"),
        first_name: text("first_name"),
        last_name: text("last_name"),
        phone: text("phone"),
        description: text("description"),
        kind: arg(&ps, "attribute[kind]").map(str::to_owned),
        community: arg(&ps, "attribute[community]").map(str::to_owned),
        media_url: text("media_url"),
    };
    match state
        .app
        .open311_submit(&text("api_key"), &submission, &ip)
        .await
    {
        Ok(c) => {
            let body = json!([{
                "service_request_id": c.number,
                "service_notice": format!("已受理登记,案件编号 {}", c.number),
                "account_id": Value::Null,
            }]);
            respond(StatusCode::CREATED, f, "service_requests", "request", &body)
        }
        Err(e) => app_error(f, e),
    }
}

async fn one_request(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(file): Path<String>,
) -> Response {
    let Some((id, f)) = split(&file) else {
        return error(Format::Json, StatusCode::NOT_FOUND, "unknown format");
    };
    if let Some(r) = limited(&state, &ip, f) {
        return r;
    }
    match state.app.open311_request(id).await {
        Ok(r) => respond(
            StatusCode::OK,
            f,
            "service_requests",
            "request",
            &json!([request_json(&r)]),
        ),
        Err(e) => app_error(f, e),
    }
}

/// Requests are realtime (POST returns the id), so a token is the id: a
/// client that asks with it gets the same request back.
async fn token(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    let Some((t, f)) = split(&file) else {
        return error(Format::Json, StatusCode::NOT_FOUND, "unknown format");
    };
    match state.app.open311_request(t).await {
        Ok(r) => respond(
            StatusCode::OK,
            f,
            "service_requests",
            "request",
            &json!([{"service_request_id": r.number, "token": t}]),
        ),
        Err(AppError::NotFound) => error(f, StatusCode::NOT_FOUND, "token not found"),
        Err(e) => app_error(f, e),
    }
}
