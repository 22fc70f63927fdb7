//! Open311 GeoReport v2: partner systems file requests with an api_key
//! (hashed at rest, revocable, recorded on every case it files) and anyone
//! reads the requests that are public by nature (`publish`), blurred —
//! never a reporter's name or contact, a dwelling, or what staff wrote.
//! Categories are the services (`service_code` = category code); detailed
//! states map to open/closed with the detail in `status_notes`.

use crate::accounts::auth::{Credential, Principal};
use crate::cases::{CaseRow, NewCase};
use crate::territory::places::Location;
use crate::{Actor, App, AppError, event};
use linli_domain::access::RegionCode;
use linli_domain::cases::{CaseKind, CaseState, Channel, Priority, publish};
use linli_domain::geo::CoordSys;
use linli_domain::secret::{Secret, sm3_hex};
use linli_domain::time::UnixMs;
use linli_store::audit;
use linli_store::cases::open311::{self as store, PublicQuery};
use linli_store::cases::setup;

/// A service: one category of the second level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    pub code: String,
    pub name: String,
    pub group: String,
    pub deadline_days: i64,
}

/// A POST requests body, as the spec names its fields.
#[derive(Debug, Clone, Default)]
pub struct Submission {
    pub service_code: String,
    pub lat: Option<f64>,
    pub long: Option<f64>,
    pub address_string: String,
    pub first_name: String,
    pub last_name: String,
    pub phone: String,
    pub description: String,
    /// attribute[kind]: one of the case kinds (default 求助)
    pub kind: Option<String>,
    /// attribute[community]: for a point no grid holds
    pub community: Option<String>,
    /// a link to the partner's media (kept and echoed, never fetched)
    pub media_url: String,
}

/// The public part of a request.
#[derive(Debug, Clone, PartialEq)]
pub struct PublicRequest {
    pub number: String,
    pub open: bool,
    pub status_notes: String,
    pub service_code: String,
    pub service_name: String,
    pub description: String,
    pub agency_responsible: Option<String>,
    pub requested: UnixMs,
    pub updated: UnixMs,
    pub expected: Option<UnixMs>,
    pub address: String,
    /// WGS-84
    pub lat: Option<f64>,
    pub long: Option<f64>,
    pub media_url: Option<String>,
}

/// What GET requests filters by (the spec's arguments, parsed).
#[derive(Debug, Clone, Default)]
pub struct RequestQuery {
    pub numbers: Vec<String>,
    pub service_codes: Vec<String>,
    pub start: Option<UnixMs>,
    pub end: Option<UnixMs>,
    /// Some(true) open only, Some(false) closed only
    pub open: Option<bool>,
}

const DAY_MS: i64 = 24 * 3600 * 1000;
/// The spec's default and longest window, and its cap.
const WINDOW_DAYS: i64 = 90;
const CAP: i64 = 1000;

fn key_hash(key: &str) -> String {
    sm3_hex(key.trim().as_bytes())
}

impl App {
    /// `linli open311 key add`: a new api_key, shown this once.
    pub async fn open311_key_add(&self, name: &str, actor: &Actor) -> Result<Secret, AppError> {
        let name = linli_domain::territory::places::clean_name(name, 60)
            .map_err(|_| AppError::Invalid("key name: 1–60 characters".into()))?;
        let key = format!("o311_{}", crate::infra::secrets::random_hex_128()?.expose());
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        let id = store::insert_key(&mut tx, &name, &key_hash(&key), now).await?;
        audit::append(
            &mut tx,
            event(actor, "open311.key_add", format!("open311_key:{id}"), name),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(Secret::new(key))
    }

    /// Revokes a key at once; whether one was active.
    pub async fn open311_key_revoke(&self, name: &str, actor: &Actor) -> Result<bool, AppError> {
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        let done = store::revoke_key(&mut tx, name, now).await?;
        audit::append(
            &mut tx,
            event(
                actor,
                "open311.key_revoke",
                format!("open311_key:{name}"),
                done.to_string(),
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(done)
    }

    /// The services: every active category of the second level.
    pub async fn open311_services(&self) -> Result<Vec<Service>, AppError> {
        let all = setup::categories(&mut *self.db.conn().await?).await?;
        let group = |id: Option<i64>| {
            all.iter()
                .find(|c| Some(c.id) == id)
                .map(|c| c.name.clone())
                .unwrap_or_default()
        };
        Ok(all
            .iter()
            .filter(|c| c.active && c.parent_id.is_some())
            .map(|c| Service {
                code: c.code.clone(),
                name: c.name.clone(),
                group: group(c.parent_id),
                deadline_days: c.deadline_days,
            })
            .collect())
    }

    /// POST requests: files a case for the partner holding `api_key`.
    pub async fn open311_submit(
        &self,
        api_key: &str,
        s: &Submission,
        source: &str,
    ) -> Result<CaseRow, AppError> {
        let key = {
            let mut conn = self.db.conn().await?;
            store::key_by_hash(&mut conn, &key_hash(api_key))
                .await?
                .filter(|k| !k.revoked && !api_key.trim().is_empty())
                .ok_or(AppError::Forbidden)?
        };
        let service_name = self
            .open311_services()
            .await?
            .into_iter()
            .find(|x| x.code == s.service_code)
            .ok_or(AppError::NotFound)?
            .name;
        let location = match (s.long, s.lat) {
            (Some(lng), Some(lat)) => Some(Location {
                lng,
                lat,
                sys: CoordSys::Wgs84,
            }),
            (None, None) if !s.address_string.trim().is_empty() => None,
            _ => {
                return Err(AppError::Invalid(
                    "lat and long (WGS-84) or address_string is required".into(),
                ));
            }
        };
        let kind = match s.kind.as_deref().filter(|k| !k.is_empty()) {
            Some(k) => k
                .parse::<CaseKind>()
                .map_err(|e| AppError::Invalid(e.to_string()))?,
            None => CaseKind::Help,
        };
        let community = s
            .community
            .as_deref()
            .filter(|c| !c.is_empty())
            .map(|c| c.parse::<RegionCode>())
            .transpose()?;
        let partner = Principal {
            user_id: 0,
            username: format!("open311:{}", key.name),
            display_name: key.name.clone(),
            grants: Vec::new(),
            must_change_password: false,
            last_login_at: None,
            credential: Credential::Token { token_id: 0 },
            elder: false,
        };
        // description is optional in GeoReport v2: the service names it then
        let description = match s.description.trim() {
            "" => service_name,
            d => d.to_owned(),
        };
        let input = NewCase {
            kind,
            channel: Channel::Open311,
            priority: Priority::Normal,
            category: Some(s.service_code.clone()),
            description,
            location,
            dwelling_id: None,
            address: s.address_string.clone(),
            community,
            reporter_name: format!("{}{}", s.last_name.trim(), s.first_name.trim()),
            contact_phone: Some(s.phone.clone()).filter(|p| !p.trim().is_empty()),
            idempotency_key: None,
            api_key_id: Some(key.id),
            media_url: Some(s.media_url.clone()).filter(|u| !u.trim().is_empty()),
            photos: Vec::new(),
        };
        let actor = Actor {
            id: None,
            name: partner.username.clone(),
            source: source.to_owned(),
        };
        let (c, _) = self.submit_case(Some(&partner), &input, &actor).await?;
        Ok(c)
    }

    /// GET requests: the public part, newest first, at most 1000, within
    /// 90 days (the last 90 by default).
    pub async fn open311_requests(&self, q: &RequestQuery) -> Result<Vec<PublicRequest>, AppError> {
        let end = q.end.unwrap_or_else(crate::now);
        let start = q.start.unwrap_or(UnixMs(end.0 - WINDOW_DAYS * DAY_MS));
        if end.0 - start.0 > WINDOW_DAYS * DAY_MS || start > end {
            return Err(AppError::Invalid(
                "start_date and end_date may not span more than 90 days".into(),
            ));
        }
        let mut conn = self.db.conn().await?;
        let cats = setup::categories(&mut conn).await?;
        let category_ids = q
            .service_codes
            .iter()
            .filter_map(|code| cats.iter().find(|c| &c.code == code).map(|c| c.id))
            .collect::<Vec<_>>();
        if !q.service_codes.is_empty() && category_ids.is_empty() {
            return Ok(Vec::new());
        }
        let states = match q.open {
            None => Vec::new(),
            Some(open) => CaseState::ALL
                .iter()
                .filter(|s| s.is_open() == open)
                .map(|s| s.as_str().to_owned())
                .collect(),
        };
        let rows = store::public_cases(
            &mut conn,
            &PublicQuery {
                numbers: q.numbers.clone(),
                category_ids,
                states,
                from: start,
                to: end,
                limit: CAP,
            },
        )
        .await?;
        rows.into_iter().map(|c| public_request(c, &cats)).collect()
    }

    /// GET requests/{id}: one request by its number.
    pub async fn open311_request(&self, number: &str) -> Result<PublicRequest, AppError> {
        let mut conn = self.db.conn().await?;
        let c = store::case_by_number(&mut conn, number.trim())
            .await?
            .ok_or(AppError::NotFound)?;
        let cats = setup::categories(&mut conn).await?;
        public_request(c, &cats)
    }
}

/// The public part of a publishable case: the point blurred to about
/// 100 m, the address without numbers, an agency rather than a person,
/// and the state only — notes staff and residents wrote (dispatch notes,
/// whistle reasons, rating comments) are theirs, not the public's.
fn public_request(c: CaseRow, cats: &[setup::Category]) -> Result<PublicRequest, AppError> {
    let state = crate::cases::parse_state(&c.state)?;
    let cat = cats.iter().find(|k| k.id == c.category_id);
    let kind = c.handler_kind.as_deref().and_then(|k| k.parse().ok());
    Ok(PublicRequest {
        number: c.number,
        open: state.is_open(),
        status_notes: state.label_zh().to_owned(),
        service_code: cat.map(|k| k.code.clone()).unwrap_or_default(),
        service_name: cat.map(|k| k.name.clone()).unwrap_or_default(),
        description: publish::public_text(&c.description),
        agency_responsible: publish::agency(kind, c.handler_name.as_deref()),
        requested: c.created_at,
        updated: c.updated_at,
        expected: c.due_at,
        address: publish::public_address(&c.address),
        lat: c.lat_e7.map(|v| publish::blurred(v as f64 / 1e7)),
        long: c.lng_e7.map(|v| publish::blurred(v as f64 / 1e7)),
        media_url: c.media_url,
    })
}
