//! Intake (上报): where a new case lies, its category (named, suggested
//! or 其他), its deadline by the calendar and sealed contact, made ready
//! for [`super::filing`] to write.

use super::filing::{self, Filing};
use super::*;

impl App {
    /// The holiday calendar: from the cache when it is under a minute old
    /// (another process's edit shows within the minute; this process's at
    /// once, see [`App::forget_calendar`]).
    pub(crate) async fn calendar(&self, conn: &mut Conn) -> Result<rules::Calendar, AppError> {
        if let Some(c) = self.calendar.fresh() {
            return Ok(c);
        }
        let days = setup_store::calendar_days(conn).await?;
        let parsed = days.iter().filter_map(|(d, k, _)| {
            let day = linli_domain::registry::parse_date(d)?;
            Some((day, k.parse().ok()?))
        });
        let cal = rules::Calendar::new(parsed);
        self.calendar.keep(cal.clone());
        Ok(cal)
    }

    /// Drops the cached calendar (after it was edited).
    pub(crate) fn forget_calendar(&self) {
        self.calendar.clear();
    }

    /// A category by its code, from the tree read at most once a minute
    /// (cleared when this process edits it, see [`App::forget_categories`]).
    async fn category(&self, conn: &mut Conn, code: &str) -> Result<Option<Category>, AppError> {
        let tree = match self.categories.fresh() {
            Some(t) => t,
            None => {
                let t = std::sync::Arc::new(setup_store::categories(conn).await?);
                self.categories.keep(t.clone());
                t
            }
        };
        Ok(tree.iter().find(|c| c.code == code).cloned())
    }

    /// Drops the cached category tree (after it was edited).
    pub(crate) fn forget_categories(&self) {
        self.categories.clear();
    }

    pub(super) async fn due(
        &self,
        conn: &mut Conn,
        from: UnixMs,
        cat: &Category,
        p: Priority,
    ) -> Result<UnixMs, AppError> {
        let sla = match p {
            Priority::Urgent => Sla::Hours(u32::try_from(cat.urgent_hours).unwrap_or(24)),
            Priority::Normal => Sla::WorkingDays(u32::try_from(cat.deadline_days).unwrap_or(5)),
        };
        Ok(rules::due_at(from, sla, &self.calendar(conn).await?))
    }

    /// Where a new case lies: (community, scope, grid id, WGS-84 point).
    async fn place(
        &self,
        conn: &mut Conn,
        input: &NewCase,
    ) -> Result<(RegionCode, RegionCode, Option<i64>, Option<LngLat>), AppError> {
        if let Some(d) = input.dwelling_id {
            let b = places::building_of_dwelling(conn, d)
                .await?
                .ok_or_else(|| bad("所选住户不存在"))?;
            let b = places::building_by_id(conn, b)
                .await?
                .ok_or(AppError::NotFound)?;
            let point = match (b.lng, b.lat) {
                (Some(lng), Some(lat)) => LngLat::parse(lng, lat).ok(),
                _ => None,
            };
            return Ok((b.community, b.scope, b.grid_id, point));
        }
        let point = input.location.map(Location::wgs84).transpose()?;
        // the index and the leaf grids' codes are in memory (warmed before
        // any connection is held)
        let index = self.grid_index().await?;
        if let Some(p) = point
            && let Some((id, code)) = index.locate(p)
        {
            let community = code.community().ok_or(AppError::NotFound)?;
            return Ok((community, code.clone(), Some(id), Some(p)));
        }
        // outside every grid: the intake queue of the community named, or
        // of the nearest grid's within reach — never lost; farther out the
        // point is outside the deployment's area
        let nearest = point.and_then(|p| {
            index
                .nearest(p, self.config.intake_reach_m)
                .and_then(RegionCode::community)
        });
        let community = input
            .community
            .as_ref()
            .and_then(RegionCode::community)
            .or(nearest)
            .ok_or_else(|| bad("位置不在本系统的服务范围内,请注明所属社区"))?;
        if linli_store::territory::regions::get(conn, &community)
            .await?
            .is_none()
            && places::grids_of(conn, &community).await?.is_empty()
        {
            return Err(bad("所属社区不存在"));
        }
        // no point, but the address names one of the community's buildings
        // ("5号楼1单元门口", "5栋"): the case lies there, in its grid
        if point.is_none() && !input.address.trim().is_empty() {
            let buildings = places::buildings_of(conn, &community).await?;
            let names: Vec<String> = buildings
                .iter()
                .map(|b| format!("{} {}", b.estate, b.name))
                .collect();
            let refs: Vec<&str> = names.iter().map(String::as_str).collect();
            if let Some(b) = linli_domain::territory::address::match_building(&input.address, &refs)
                .and_then(|i| buildings.into_iter().nth(i))
            {
                let at = match (b.lng, b.lat) {
                    (Some(lng), Some(lat)) => LngLat::parse(lng, lat).ok(),
                    _ => None,
                };
                return Ok((b.community, b.scope, b.grid_id, at));
            }
        }
        Ok((community.clone(), community, None, point))
    }

    /// 上报: files a new case. With an idempotency key the same key
    /// returns the first case instead of creating another. Every read and
    /// check happens here, on a pooled connection; the writes join the
    /// next group commit (see [`super::filing`]) and the case is returned
    /// once it is durable.
    pub async fn submit_case(
        &self,
        who: Option<&Principal>,
        input: &NewCase,
        actor: &Actor,
    ) -> Result<(CaseRow, bool), AppError> {
        self.grid_index().await?;
        if input.category.is_none() {
            self.category_model().await?;
        }
        // what needs no database is checked first: a case refused here
        // writes no photo file
        let checked = check_text(who, input)?;
        // re-encoding takes a while: no connection is held meanwhile
        let photos = self.ready_photos(&input.photos).await?;
        let filing = {
            let mut conn = self.db.conn().await?;
            if let Some(h) = &checked.key_hash
                && let Some(id) = store::case_for_key(&mut conn, h).await?
            {
                let c = store::case_by_id(&mut conn, id)
                    .await?
                    .ok_or(AppError::NotFound)?;
                return Ok((c, false));
            }
            let now = crate::now();
            self.prepare(&mut conn, who, input, checked, (photos, actor), now)
                .await?
        };
        self.filer().submit(filing).await
    }

    /// [`App::submit_case`] inside the caller's transaction, at `now`.
    pub(crate) async fn submit_in(
        &self,
        tx: &mut Conn,
        who: Option<&Principal>,
        input: &NewCase,
        actor: &Actor,
        now: UnixMs,
    ) -> Result<(CaseRow, bool), AppError> {
        let checked = check_text(who, input)?;
        let filing = self
            .prepare(tx, who, input, checked, (Vec::new(), actor), now)
            .await?;
        filing::file_all(tx, std::slice::from_ref(&filing))
            .await?
            .pop()
            .ok_or_else(|| AppError::Internal("nothing filed".into()))
    }

    /// A checked case made ready to file: its category, place, deadline,
    /// sealed contact and roll-up nodes; numbers and ids come at filing.
    async fn prepare(
        &self,
        conn: &mut Conn,
        who: Option<&Principal>,
        input: &NewCase,
        checked: Checked,
        (photos, actor): (Vec<ReadyPhoto>, &Actor),
        now: UnixMs,
    ) -> Result<Filing, AppError> {
        let Checked {
            description,
            media_url,
            contact,
            reporter_name,
            key_hash,
        } = checked;
        let (cat, suggested) = self
            .intake_category(&mut *conn, input, &description)
            .await?;
        let (community, scope, grid_id, point) = self.place(&mut *conn, input).await?;
        let due = self.due(&mut *conn, now, &cat, input.priority).await?;
        let (contact_sealed, contact_masked) = match &contact {
            Some(p) => (
                Some(self.crypto()?.seal(Field::Phone, p.expose())?),
                Some(p.masked()),
            ),
            None => (None, None),
        };
        let note = match suggested {
            Some(p) => format!(
                "{}:{}(自动分类,置信度 {p}%)",
                input.kind.label_zh(),
                cat.name
            ),
            None => format!("{}:{}", input.kind.label_zh(), cat.name),
        };
        let case = CaseRow {
            id: 0,
            number: String::new(),
            community: community.to_string(),
            scope: scope.to_string(),
            grid_id,
            category_id: cat.id,
            kind: input.kind.as_str().to_owned(),
            channel: input.channel.as_str().to_owned(),
            priority: input.priority.as_str().to_owned(),
            state: CaseState::Submitted.as_str().to_owned(),
            description,
            address: input.address.trim().chars().take(200).collect(),
            lng_e7: point.map(|p| e7(p.lng)),
            lat_e7: point.map(|p| e7(p.lat)),
            dwelling_id: input.dwelling_id,
            reporter_id: who.map(|p| p.user_id).filter(|id| *id > 0),
            reporter_name,
            contact_sealed,
            contact_masked,
            handler_kind: None,
            handler_name: None,
            handler_user_id: None,
            merged_into: None,
            due_at: Some(due),
            accepted_at: None,
            closed_at: None,
            dispatches: 0,
            handlings: 0,
            closings: 0,
            reworks: 0,
            reopens: 0,
            postponements: 0,
            rating: None,
            rating_comment: None,
            rated_at: None,
            media_url,
            created_at: now,
            updated_at: now,
        };
        Ok(Filing {
            case,
            scopes: rules::rollup_scopes(&scope),
            key_hash,
            api_key_id: input.api_key_id,
            note,
            photos,
            actor: actor.clone(),
        })
    }

    /// The category a new case files under: the one named, else the
    /// model's suggestion (with its confidence in percent), else 其他.
    async fn intake_category(
        &self,
        tx: &mut Conn,
        input: &NewCase,
        description: &str,
    ) -> Result<(Category, Option<u32>), AppError> {
        let usable = |c: Option<Category>| c.filter(|c| c.active && c.parent_id.is_some());
        if let Some(code) = input.category.as_deref() {
            let cat = usable(self.category(&mut *tx, code).await?)
                .ok_or_else(|| AppError::Invalid(format!("没有诉求类别“{code}”")))?;
            return Ok((cat, None));
        }
        if let Some(s) = self.suggest_category(description)
            && let Some(cat) = usable(self.category(&mut *tx, &s.code).await?)
        {
            let pct = (s.confidence * 100.0).round().clamp(0.0, 100.0) as u32;
            return Ok((cat, Some(pct)));
        }
        let cat = usable(self.category(&mut *tx, UNSORTED).await?)
            .ok_or_else(|| AppError::Internal("category 1007 is missing".into()))?;
        Ok((cat, None))
    }
}

/// The stored form of a client's idempotency key: its hash, per caller.
fn key_hash(who: Option<&Principal>, input: &NewCase) -> Option<String> {
    input.idempotency_key.as_deref().map(|k| {
        let owner = who.map_or_else(|| "anonymous".to_owned(), |p| p.user_id.to_string());
        sm3_hex(format!("{owner}\u{0}{}", k.trim()).as_bytes())
    })
}

/// A new case's own fields, checked.
struct Checked {
    /// the stored form of the Idempotency-Key
    key_hash: Option<String>,
    description: String,
    media_url: Option<String>,
    contact: Option<Phone>,
    reporter_name: String,
}

/// The checks of a new case that need no database: text, channel, link,
/// phone, name and the Idempotency-Key's hash.
fn check_text(who: Option<&Principal>, input: &NewCase) -> Result<Checked, AppError> {
    let description = input.description.trim();
    // GeoReport v2 allows up to 4,000 characters (and none: the partner's
    // submission gives the service name instead)
    let (max, max_text) = match input.channel {
        Channel::Open311 => (DESCRIPTION_MAX_OPEN311, "请填写诉求内容(不超过 4000 字)"),
        _ => (DESCRIPTION_MAX, "请填写诉求内容(不超过 2000 字)"),
    };
    if description.is_empty() || description.chars().count() > max {
        return Err(bad(max_text));
    }
    if description
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r')
    {
        return Err(bad("诉求内容含有不可见的控制字符"));
    }
    check_channel(who, input.channel)?;
    let media_url = match input.media_url.as_deref() {
        Some(u) => rules::media::media_url(u).map_err(|e| AppError::Invalid(e.to_string()))?,
        None => None,
    };
    let contact = match input
        .contact_phone
        .as_deref()
        .filter(|p| !p.trim().is_empty())
    {
        Some(p) => Some(Phone::parse(p).map_err(|e| AppError::Invalid(e.to_string()))?),
        None if who.is_none() => return Err(bad("匿名上报须留联系电话")),
        None => None,
    };
    let reporter_name = match input.reporter_name.trim() {
        "" => who.map_or_else(|| "匿名".to_owned(), |p| p.display_name.clone()),
        n => linli_domain::territory::places::clean_name(n, 30)
            .map_err(|_| bad("姓名不超过 30 字"))?,
    };
    Ok(Checked {
        key_hash: key_hash(who, input),
        description: description.to_owned(),
        media_url,
        contact,
        reporter_name,
    })
}

/// Who may file through which channel.
fn check_channel(who: Option<&Principal>, ch: Channel) -> Result<(), AppError> {
    let staff = who.is_some_and(|p| p.grants.iter().any(|g| g.role.is_staff()));
    match ch {
        Channel::Resident => Ok(()),
        Channel::Patrol | Channel::Phone | Channel::MeetingDay if staff => Ok(()),
        Channel::Api | Channel::Open311 if who.is_some() => Ok(()),
        _ => Err(AppError::Forbidden),
    }
}
