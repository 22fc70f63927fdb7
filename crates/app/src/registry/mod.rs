//! 人房地情 — residents, households and care tags, every read and write
//! checked against the caller's scope. Personal fields are sealed before
//! they reach the store and shown masked; a reveal needs its own
//! permission and a reason, and writes an audit record.

pub mod binding;
pub mod care_cards;
mod changes;
mod occupancy;
pub mod pipl;
pub mod xlsx;

use crate::accounts::auth::Principal;
use crate::infra::crypto::{Field, FieldCrypto};
use crate::{Actor, App, AppError, event};
use linli_domain::access::{Permission, RegionCode, allowed, scope_prefixes};
use linli_domain::registry::{
    DocKind, Gender, NUMBER_SEARCHES_PER_HOUR, Phone, Residency, ResidentRow, SearchText, age_on,
    mask_name,
};
use linli_store::registry::{self as store, PersonTag, Resident, ResidentFilter, ResidentRecord};
use linli_store::{Conn, audit};
use time::Date;

pub use linli_store::registry::Tag;

/// A resident as one user may see them: masked unless revealed.
#[derive(Debug, Clone, PartialEq)]
pub struct ResidentView {
    pub id: i64,
    /// in full for staff who work with the person; `张*` for the levels above
    pub name: String,
    pub gender: &'static str,
    /// in full only for those who may reveal personal fields: digits 7–14
    /// of an ID number are the birth date, so beside a masked number a
    /// full date would rebuild it; others see the age
    pub birth_date: Option<String>,
    pub age: i32,
    pub doc_kind: &'static str,
    pub doc_masked: String,
    pub phone_masked: Option<String>,
    pub has_health_note: bool,
    pub ethnicity: String,
    pub political: String,
    pub relation: String,
    pub residency: &'static str,
    pub work_unit: String,
    pub address: String,
    pub community: RegionCode,
    pub scope: RegionCode,
    pub household_id: i64,
    pub dwelling_id: i64,
    pub tags: Vec<PersonTag>,
    pub moved_out: Option<String>,
}

/// One page of a resident list.
#[derive(Debug, Clone, PartialEq)]
pub struct ResidentPage {
    pub rows: Vec<ResidentView>,
    pub total: i64,
    /// pass as `after` for the next page
    pub next_after: Option<i64>,
}

/// What a list is filtered by, as people type it.
#[derive(Debug, Clone, Default)]
pub struct ResidentQuery {
    /// a name (prefix), an ID number (exact), a phone (exact) or its
    /// first 3 / last 4 digits
    pub q: Option<String>,
    pub community: Option<RegionCode>,
    pub building_id: Option<i64>,
    /// one flat (the 楼盘表 opens it)
    pub dwelling_id: Option<i64>,
    pub tag: Option<String>,
    pub address: Option<String>,
    pub age_min: Option<i32>,
    pub age_max: Option<i32>,
    pub include_moved_out: bool,
    pub after: Option<i64>,
    pub limit: Option<i64>,
}

/// A masked field that can be revealed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RevealField {
    IdNumber,
    Phone,
    Health,
}

impl RevealField {
    pub fn parse(s: &str) -> Result<RevealField, AppError> {
        match s {
            "id_number" => Ok(RevealField::IdNumber),
            "phone" => Ok(RevealField::Phone),
            "health" => Ok(RevealField::Health),
            _ => Err(AppError::Invalid(format!(
                "未知字段“{s}”,可为 id_number、phone、health"
            ))),
        }
    }
    pub const fn as_str(self) -> &'static str {
        match self {
            RevealField::IdNumber => "id_number",
            RevealField::Phone => "phone",
            RevealField::Health => "health",
        }
    }
}

pub(crate) fn require(
    who: &Principal,
    perm: Permission,
    scope: &RegionCode,
) -> Result<(), AppError> {
    if allowed(&who.grants, perm, scope) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// The shape a row is stored in: sealed, indexed, masked.
pub(crate) fn record_of(
    crypto: &dyn FieldCrypto,
    row: &ResidentRow,
    place: (RegionCode, i64, i64, i64),
) -> Result<ResidentRecord, AppError> {
    let (community, household_id, dwelling_id, building_id) = place;
    let doc = &row.document;
    let phone = row.phone.as_ref();
    Ok(ResidentRecord {
        community,
        household_id,
        dwelling_id,
        building_id,
        name: row.name.clone(),
        gender: row.gender.code().to_owned(),
        birth_date: row.birth.to_string(),
        doc_kind: doc.kind().code().to_owned(),
        doc_sealed: crypto.seal(Field::IdNumber, doc.expose())?,
        doc_index: crypto.index(Field::IdNumber, &doc.index_text()),
        doc_masked: doc.masked(),
        phone_sealed: phone
            .map(|p| crypto.seal(Field::Phone, p.expose()))
            .transpose()?,
        phone_index: phone.map(|p| crypto.index(Field::Phone, p.expose())),
        phone_masked: phone.map(Phone::masked),
        health_sealed: None,
        ethnicity: row.ethnicity.clone(),
        political: row.political.label().to_owned(),
        relation: row.relation.clone(),
        residency: row.residency.code().to_owned(),
        work_unit: row.work_unit.clone(),
        moved_in: None,
    })
}

fn view(who: &Principal, r: Resident, tags: Vec<PersonTag>, today: Date) -> ResidentView {
    let full_name = allowed(&who.grants, Permission::EditResidents, &r.scope);
    let reveal = allowed(&who.grants, Permission::RevealPersonal, &r.scope);
    build_view(r, tags, today, full_name, reveal)
}

/// A household member as the household's own account sees them: names in
/// full, numbers masked, the birth date only on the account's own record
/// (the caller opens their own numbers separately).
pub(crate) fn view_for_owner(r: Resident, tags: Vec<PersonTag>, own: bool) -> ResidentView {
    build_view(r, tags, crate::today(), true, own)
}

fn build_view(
    r: Resident,
    tags: Vec<PersonTag>,
    today: Date,
    full_name: bool,
    birth_date: bool,
) -> ResidentView {
    let birth = linli_domain::registry::parse_date(&r.record.birth_date);
    let rec = r.record;
    ResidentView {
        id: r.id,
        name: if full_name {
            rec.name
        } else {
            mask_name(&rec.name)
        },
        gender: Gender::from_code(&rec.gender).map_or("", Gender::label),
        age: birth.map_or(0, |b| age_on(b, today)),
        birth_date: birth_date.then_some(rec.birth_date),
        doc_kind: DocKind::from_code(&rec.doc_kind).map_or("其他", DocKind::label),
        doc_masked: rec.doc_masked,
        phone_masked: rec.phone_masked,
        has_health_note: rec.health_sealed.is_some(),
        ethnicity: rec.ethnicity,
        political: rec.political,
        relation: rec.relation,
        residency: Residency::from_code(&rec.residency).map_or("", Residency::label),
        work_unit: rec.work_unit,
        address: format!("{} {} {} {}室", r.estate, r.building, r.unit, r.room),
        community: rec.community,
        scope: r.scope,
        household_id: rec.household_id,
        dwelling_id: rec.dwelling_id,
        tags,
        moved_out: r.moved_out,
    }
}

/// Birth-date bounds for an age range on `today`.
fn birth_bounds(
    min: Option<i32>,
    max: Option<i32>,
    today: Date,
) -> (Option<String>, Option<String>) {
    let shift = |years: i32| {
        let y = today.year() - years;
        Date::from_calendar_date(y, today.month(), today.day())
            .or_else(|_| Date::from_calendar_date(y, today.month(), 28))
            .ok()
    };
    // age ≥ min ⇔ born on or before today − min years
    let to = min.and_then(shift).map(|d| d.to_string());
    // age ≤ max ⇔ born after today − (max + 1) years
    let from = max
        .and_then(|m| shift(m + 1))
        .and_then(|d| d.next_day())
        .map(|d| d.to_string());
    (from, to)
}

impl App {
    /// The configured care tags.
    pub async fn care_tags(&self) -> Result<Vec<Tag>, AppError> {
        Ok(store::tags(&mut *self.db.conn().await?).await?)
    }

    async fn tags_for(
        &self,
        conn: &mut Conn,
        rows: &[Resident],
    ) -> Result<Vec<Vec<PersonTag>>, AppError> {
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let all = store::tags_of(conn, &ids).await?;
        Ok(rows
            .iter()
            .map(|r| {
                all.iter()
                    .filter(|t| t.resident_id == r.id)
                    .cloned()
                    .collect()
            })
            .collect())
    }

    /// Turns the free-text box into exact or prefix filters. `reveals`:
    /// whether the caller may reveal numbers everywhere they can look
    /// (otherwise numbers are refused and names match whole).
    fn filter_of(
        &self,
        q: &ResidentQuery,
        today: Date,
        reveals: bool,
    ) -> Result<(ResidentFilter, Option<SearchText>), AppError> {
        let mut f = ResidentFilter {
            community: q.community.clone(),
            building_id: q.building_id,
            dwelling_id: q.dwelling_id,
            address: q.address.clone().filter(|a| !a.trim().is_empty()),
            include_moved_out: q.include_moved_out,
            after_id: q.after,
            limit: q.limit.unwrap_or(50).clamp(1, 500),
            ..ResidentFilter::default()
        };
        (f.born_from, f.born_to) = birth_bounds(q.age_min, q.age_max, today);
        let text =
            q.q.as_deref()
                .map(linli_domain::territory::places::normalise_cell)
                .unwrap_or_default();
        if text.is_empty() {
            return Ok((f, None));
        }
        let search = SearchText::classify(&text, today);
        if search.is_number() && !reveals {
            return Err(AppError::Invalid(
                "按证件号码或电话查找须有查看完整信息的权限;请按姓名(全名)查找".into(),
            ));
        }
        match &search {
            SearchText::IdCard(id) => {
                f.doc_index = self
                    .crypto()?
                    .index_all(Field::IdNumber, &DocKind::IdCard.index_text(id));
            }
            SearchText::Phone(p) => f.phone_index = self.crypto()?.index_all(Field::Phone, p),
            SearchText::PhonePart(part) => f.phone_part = Some(part.clone()),
            SearchText::OtherDocument(upper) => {
                // a passport or another document number, exactly
                let crypto = self.crypto()?;
                f.doc_index = DocKind::ALL
                    .iter()
                    .filter(|k| !k.is_gb11643())
                    .flat_map(|k| crypto.index_all(Field::IdNumber, &k.index_text(upper)))
                    .collect();
            }
            SearchText::Name(n) if reveals => f.name_prefix = Some(n.clone()),
            SearchText::Name(n) => f.name_exact = Some(n.clone()),
        }
        Ok((f, Some(search)))
    }

    /// Whether `who` may search residents by ID or phone number (they may
    /// reveal personal fields everywhere they may see residents).
    pub fn searches_numbers(who: &Principal) -> bool {
        Self::reveals_everywhere(who)
    }

    fn reveals_everywhere(who: &Principal) -> bool {
        let view = scope_prefixes(&who.grants, Permission::ViewResidents);
        let reveal = scope_prefixes(&who.grants, Permission::RevealPersonal);
        !view.is_empty()
            && view
                .iter()
                .all(|v| reveal.iter().any(|r| v.starts_with(r.as_str())))
    }

    /// Audits a search by number, refusing it past the hourly limit.
    async fn audit_number_search(
        &self,
        actor: &Actor,
        search: &SearchText,
    ) -> Result<(), AppError> {
        const ACTION: &str = "residents.search_number";
        let now = crate::now();
        let hour_ago = linli_domain::time::UnixMs(now.0 - 3_600_000);
        let mut tx = self.db.begin().await?;
        // the server's own command line (no account) is not limited
        let used = match actor.id {
            Some(id) => {
                // one at a time per user: parallel searches cannot all see
                // the old count
                linli_store::accounts::users::lock(&mut tx, id).await?;
                audit::count_since(&mut tx, Some(id), ACTION, None, hour_ago).await?
            }
            None => 0,
        };
        if used >= NUMBER_SEARCHES_PER_HOUR {
            return Err(AppError::TooMany(format!(
                "一小时内按证件号码或电话查找已达 {NUMBER_SEARCHES_PER_HOUR} 次,请稍后再试"
            )));
        }
        audit::append(
            &mut tx,
            event(
                actor,
                ACTION,
                "residents".to_owned(),
                format!("kind={}", search.kind()),
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Residents in the caller's scope matching `q`, 50 a page by id.
    /// A search by a whole ID or phone number needs the reveal permission
    /// over the caller's whole reach, is audited, and is limited to
    /// [`NUMBER_SEARCHES_PER_HOUR`]; without that permission names match
    /// whole, not by prefix.
    pub async fn list_residents(
        &self,
        who: &Principal,
        q: &ResidentQuery,
        actor: &Actor,
    ) -> Result<ResidentPage, AppError> {
        let scopes = scope_prefixes(&who.grants, Permission::ViewResidents);
        if scopes.is_empty() {
            return Err(AppError::Forbidden);
        }
        let today = crate::today();
        let (mut f, search) = self.filter_of(q, today, Self::reveals_everywhere(who))?;
        if let Some(s) = search.as_ref().filter(|s| s.is_number()) {
            self.audit_number_search(actor, s).await?;
        }
        let mut conn = self.db.conn().await?;
        if let Some(name) = q.tag.as_deref().filter(|t| !t.is_empty()) {
            let tags = store::tags(&mut conn).await?;
            let tag = tags.iter().find(|t| t.name == name);
            // an unknown tag matches nobody
            f.tag_id = Some(tag.map_or(-1, |t| t.id));
        }
        let scope = store::scope(&mut conn, &scopes).await?;
        let rows = store::search(&mut conn, &f, &scope).await?;
        let total = store::count(&mut conn, &f, &scope).await?;
        let next_after = (rows.len() as i64 == f.limit)
            .then(|| rows.last().map(|r| r.id))
            .flatten();
        let tags = self.tags_for(&mut conn, &rows).await?;
        Ok(ResidentPage {
            rows: rows
                .into_iter()
                .zip(tags)
                .map(|(r, t)| view(who, r, t, today))
                .collect(),
            total,
            next_after,
        })
    }

    /// A resident the caller can see and may act on with `perm`; outside
    /// their view it does not exist (404), inside it the permission decides.
    pub(crate) async fn visible(
        &self,
        conn: &mut Conn,
        who: &Principal,
        id: i64,
        perm: Permission,
    ) -> Result<Resident, AppError> {
        let r = store::resident_by_id(conn, id)
            .await?
            .ok_or(AppError::NotFound)?;
        // outside the caller's view it does not exist; inside it, the
        // permission decides
        if !allowed(&who.grants, Permission::ViewResidents, &r.scope) {
            return Err(AppError::NotFound);
        }
        require(who, perm, &r.scope)?;
        Ok(r)
    }

    /// One resident, masked.
    pub async fn resident(&self, who: &Principal, id: i64) -> Result<ResidentView, AppError> {
        let mut conn = self.db.conn().await?;
        let r = self
            .visible(&mut conn, who, id, Permission::ViewResidents)
            .await?;
        let tags = self.tags_for(&mut conn, std::slice::from_ref(&r)).await?;
        Ok(view(
            who,
            r,
            tags.into_iter().next().unwrap_or_default(),
            crate::today(),
        ))
    }

    /// 查看完整信息: the clear value of one masked field, for a reason;
    /// the reveal is audited in the same transaction that reads it.
    pub async fn reveal(
        &self,
        who: &Principal,
        id: i64,
        field: RevealField,
        reason: &str,
        actor: &Actor,
    ) -> Result<Option<String>, AppError> {
        let reason = reason.trim();
        if reason.chars().count() < 2 || reason.chars().count() > 200 {
            return Err(AppError::Invalid("请填写查看原因(2–200 字)".into()));
        }
        let crypto = self.crypto()?;
        let mut tx = self.db.begin().await?;
        let r = self
            .visible(&mut tx, who, id, Permission::RevealPersonal)
            .await?;
        let (sealed, f) = match field {
            RevealField::IdNumber => (Some(r.record.doc_sealed.as_str()), Field::IdNumber),
            RevealField::Phone => (r.record.phone_sealed.as_deref(), Field::Phone),
            RevealField::Health => (r.record.health_sealed.as_deref(), Field::Health),
        };
        let clear = sealed.map(|s| crypto.open(f, s)).transpose()?;
        let detail = format!("field={} reason={reason}", field.as_str());
        audit::append(
            &mut tx,
            event(actor, "resident.reveal", format!("resident:{id}"), detail),
            crate::now(),
        )
        .await?;
        tx.commit().await?;
        Ok(clear.map(|s| s.expose().to_owned()))
    }
}

/// The ids of tags by name; an unknown name is an error that lists the tags.
pub(crate) async fn tag_ids(conn: &mut Conn, names: &[String]) -> Result<Vec<i64>, AppError> {
    if names.is_empty() {
        return Ok(Vec::new());
    }
    let tags = store::tags(conn).await?;
    names
        .iter()
        .map(|n| {
            tags.iter()
                .find(|t| &t.name == n)
                .map(|t| t.id)
                .ok_or_else(|| {
                    let known: Vec<&str> = tags.iter().map(|t| t.name.as_str()).collect();
                    AppError::Invalid(format!("标签“{n}”未配置(可用:{})", known.join("、")))
                })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use time::macros::date;

    #[test]
    fn age_ranges_become_birth_bounds() {
        let today = date!(2026 - 11 - 22);
        let (from, to) = birth_bounds(Some(60), Some(69), today);
        // 60 today: born 1966-11-22; 69 until the day before turning 70
        assert_eq!(to.as_deref(), Some("1966-11-22"));
        assert_eq!(from.as_deref(), Some("1956-11-23"));
        assert_eq!(age_on(date!(1956 - 11 - 23), today), 69);
        assert_eq!(age_on(date!(1956 - 11 - 22), today), 70);
    }
}
