//! Partner units, the accounts of their staff, reports in to communities,
//! 共建协议 and the resources they offer.

use crate::territory::scope::{patterns, prefix_match};
use crate::{Conn, StoreError};
use linli_domain::time::UnixMs;
use sqlx::Row;

/// A unit as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitRow {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub party_org: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub committee_member: String,
}

const UNIT: &str = "u.id, u.name, u.kind, u.party_org, u.contact_name, u.contact_phone,
    u.committee_member";

fn unit_of(r: &sqlx::any::AnyRow) -> Result<UnitRow, StoreError> {
    Ok(UnitRow {
        id: r.try_get(0)?,
        name: r.try_get(1)?,
        kind: r.try_get(2)?,
        party_org: r.try_get(3)?,
        contact_name: r.try_get(4)?,
        contact_phone: r.try_get(5)?,
        committee_member: r.try_get(6)?,
    })
}

/// A unit being registered.
pub struct NewUnit<'a> {
    pub name: &'a str,
    pub kind: &'a str,
    pub party_org: &'a str,
    pub contact_name: &'a str,
    pub contact_phone: &'a str,
    pub committee_member: &'a str,
    pub by: i64,
    pub now: UnixMs,
}

/// Registers a unit; `None` when one of that name exists.
pub async fn insert_unit(conn: &mut Conn, u: &NewUnit<'_>) -> Result<Option<i64>, StoreError> {
    let row = sqlx::query(
        "INSERT INTO partner_units (name, kind, party_org, contact_name, contact_phone,
                                    committee_member, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (name) DO NOTHING RETURNING id",
    )
    .bind(u.name)
    .bind(u.kind)
    .bind(u.party_org)
    .bind(u.contact_name)
    .bind(u.contact_phone)
    .bind(u.committee_member)
    .bind(u.by)
    .bind(u.now.0)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| r.try_get(0)).transpose()?)
}

pub async fn unit(conn: &mut Conn, id: i64) -> Result<Option<UnitRow>, StoreError> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {UNIT} FROM partner_units u WHERE u.id = $1"
    )))
    .bind(id)
    .fetch_optional(conn)
    .await?
    .map(|r| unit_of(&r))
    .transpose()
}

/// The unit whose staff the user is.
pub async fn unit_of_user(conn: &mut Conn, user: i64) -> Result<Option<i64>, StoreError> {
    let row = sqlx::query("SELECT unit_id FROM partner_members WHERE user_id = $1")
        .bind(user)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(|r| r.try_get(0)).transpose()?)
}

/// Makes the user one of the unit's staff; false when they already are
/// someone's.
pub async fn add_member(conn: &mut Conn, user: i64, unit: i64) -> Result<bool, StoreError> {
    Ok(sqlx::query(
        "INSERT INTO partner_members (user_id, unit_id) VALUES ($1, $2)
         ON CONFLICT (user_id) DO NOTHING",
    )
    .bind(user)
    .bind(unit)
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

/// A unit's standing in one community.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportRow {
    pub unit: UnitRow,
    pub community_code: String,
    pub community_name: String,
    pub state: String,
    pub note: String,
    pub requested_at: i64,
}

fn report_of(r: &sqlx::any::AnyRow) -> Result<ReportRow, StoreError> {
    Ok(ReportRow {
        unit: unit_of(r)?,
        community_code: r.try_get(7)?,
        community_name: r.try_get(8)?,
        state: r.try_get(9)?,
        note: r.try_get(10)?,
        requested_at: r.try_get(11)?,
    })
}

const REPORT: &str = "r.community_code,
    COALESCE((SELECT g.name FROM regions g WHERE g.code = r.community_code), r.community_code),
    r.state, r.note, r.requested_at";

/// Asks to report in (again, after a refusal); false when the unit is
/// already pending or accepted there.
pub async fn request_report(
    conn: &mut Conn,
    unit: i64,
    community: &str,
    note: &str,
    now: UnixMs,
) -> Result<bool, StoreError> {
    Ok(sqlx::query(
        "INSERT INTO partner_reports (unit_id, community_code, state, note, requested_at)
         VALUES ($1, $2, 'pending', $3, $4)
         ON CONFLICT (unit_id, community_code) DO UPDATE
            SET state = 'pending', note = excluded.note, requested_at = excluded.requested_at,
                decided_at = NULL, decided_by = NULL
          WHERE partner_reports.state = 'declined'",
    )
    .bind(unit)
    .bind(community)
    .bind(note)
    .bind(now.0)
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

/// Accepts or declines a pending report; false when it was not pending.
pub async fn decide_report(
    conn: &mut Conn,
    unit: i64,
    community: &str,
    accept: bool,
    by: i64,
    now: UnixMs,
) -> Result<bool, StoreError> {
    Ok(sqlx::query(
        "UPDATE partner_reports SET state = $1, decided_at = $2, decided_by = $3
          WHERE unit_id = $4 AND community_code = $5 AND state = 'pending'",
    )
    .bind(if accept { "accepted" } else { "declined" })
    .bind(now.0)
    .bind(by)
    .bind(unit)
    .bind(community)
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

/// The reports of the communities under `prefixes`, pending first.
pub async fn reports_in(
    conn: &mut Conn,
    prefixes: &[String],
) -> Result<Vec<ReportRow>, StoreError> {
    let sql = format!(
        "SELECT {UNIT}, {REPORT} FROM partner_reports r JOIN partner_units u ON u.id = r.unit_id
          WHERE {} ORDER BY CASE r.state WHEN 'pending' THEN 0 WHEN 'accepted' THEN 1 ELSE 2 END,
                u.name, r.community_code",
        prefix_match("r.community_code", prefixes.len(), 1)
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for p in patterns(prefixes) {
        q = q.bind(p);
    }
    q.fetch_all(conn).await?.iter().map(report_of).collect()
}

/// A unit's reports, wherever.
pub async fn reports_of(conn: &mut Conn, unit: i64) -> Result<Vec<ReportRow>, StoreError> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {UNIT}, {REPORT} FROM partner_reports r JOIN partner_units u ON u.id = r.unit_id
          WHERE r.unit_id = $1 ORDER BY r.community_code"
    )))
    .bind(unit)
    .fetch_all(conn)
    .await?
    .iter()
    .map(report_of)
    .collect()
}

/// Whether the unit is accepted in the community.
pub async fn reported_in(conn: &mut Conn, unit: i64, community: &str) -> Result<bool, StoreError> {
    Ok(sqlx::query(
        "SELECT 1 FROM partner_reports
          WHERE unit_id = $1 AND community_code = $2 AND state = 'accepted'",
    )
    .bind(unit)
    .bind(community)
    .fetch_optional(conn)
    .await?
    .is_some())
}

/// An agreement as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgreementRow {
    pub id: i64,
    pub unit_id: i64,
    pub community_code: String,
    pub title: String,
    pub commitments: String,
    pub commitment_count: i64,
    pub start_date: String,
    pub end_date: String,
}

/// An agreement being signed.
pub struct NewAgreement<'a> {
    pub unit_id: i64,
    pub community_code: &'a str,
    pub title: &'a str,
    pub commitments: &'a str,
    pub commitment_count: i64,
    pub start_date: &'a str,
    pub end_date: &'a str,
    pub by: i64,
    pub now: UnixMs,
}

pub async fn insert_agreement(conn: &mut Conn, a: &NewAgreement<'_>) -> Result<i64, StoreError> {
    Ok(sqlx::query(
        "INSERT INTO partner_agreements (unit_id, community_code, title, commitments,
             commitment_count, start_date, end_date, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(a.unit_id)
    .bind(a.community_code)
    .bind(a.title)
    .bind(a.commitments)
    .bind(a.commitment_count)
    .bind(a.start_date)
    .bind(a.end_date)
    .bind(a.by)
    .bind(a.now.0)
    .fetch_one(conn)
    .await?
    .try_get(0)?)
}

/// A unit's agreements, newest first.
pub async fn agreements_of(conn: &mut Conn, unit: i64) -> Result<Vec<AgreementRow>, StoreError> {
    sqlx::query(
        "SELECT id, unit_id, community_code, title, commitments, commitment_count, start_date,
                end_date
           FROM partner_agreements WHERE unit_id = $1 ORDER BY start_date DESC, id DESC",
    )
    .bind(unit)
    .fetch_all(conn)
    .await?
    .iter()
    .map(|r| {
        Ok(AgreementRow {
            id: r.try_get(0)?,
            unit_id: r.try_get(1)?,
            community_code: r.try_get(2)?,
            title: r.try_get(3)?,
            commitments: r.try_get(4)?,
            commitment_count: r.try_get(5)?,
            start_date: r.try_get(6)?,
            end_date: r.try_get(7)?,
        })
    })
    .collect()
}

/// A resource as stored, with its unit's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceRow {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub kind: String,
    pub category: String,
    pub title: String,
    pub detail: String,
    pub amount: String,
    pub available: String,
}

const RESOURCE: &str = "s.id, s.unit_id, u.name, s.kind, s.category, s.title, s.detail,
    s.amount, s.available";

fn resource_of(r: &sqlx::any::AnyRow) -> Result<ResourceRow, StoreError> {
    Ok(ResourceRow {
        id: r.try_get(0)?,
        unit_id: r.try_get(1)?,
        unit_name: r.try_get(2)?,
        kind: r.try_get(3)?,
        category: r.try_get(4)?,
        title: r.try_get(5)?,
        detail: r.try_get(6)?,
        amount: r.try_get(7)?,
        available: r.try_get(8)?,
    })
}

/// A resource being offered.
pub struct NewResource<'a> {
    pub unit_id: i64,
    pub kind: &'a str,
    pub category: &'a str,
    pub title: &'a str,
    pub detail: &'a str,
    pub amount: &'a str,
    pub available: &'a str,
    pub now: UnixMs,
}

pub async fn insert_resource(conn: &mut Conn, r: &NewResource<'_>) -> Result<i64, StoreError> {
    Ok(sqlx::query(
        "INSERT INTO partner_resources (unit_id, kind, category, title, detail, amount,
                                        available, active, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8) RETURNING id",
    )
    .bind(r.unit_id)
    .bind(r.kind)
    .bind(r.category)
    .bind(r.title)
    .bind(r.detail)
    .bind(r.amount)
    .bind(r.available)
    .bind(r.now.0)
    .fetch_one(conn)
    .await?
    .try_get(0)?)
}

/// A unit's resources on offer.
pub async fn resources_of(conn: &mut Conn, unit: i64) -> Result<Vec<ResourceRow>, StoreError> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {RESOURCE} FROM partner_resources s JOIN partner_units u ON u.id = s.unit_id
          WHERE s.unit_id = $1 AND s.active = 1 ORDER BY s.id"
    )))
    .bind(unit)
    .fetch_all(conn)
    .await?
    .iter()
    .map(resource_of)
    .collect()
}

/// The resources on offer from the units reported in to `community`
/// (accepted, or waiting for an answer), with (accepted there, the unit's
/// projects of `category`).
pub async fn candidates(
    conn: &mut Conn,
    community: &str,
    category: &str,
) -> Result<Vec<(ResourceRow, bool, i64)>, StoreError> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {RESOURCE},
                EXISTS (SELECT 1 FROM partner_reports r WHERE r.unit_id = s.unit_id
                           AND r.community_code = $1 AND r.state = 'accepted'),
                (SELECT COUNT(*) FROM partner_project_units pu
                   JOIN partner_projects p ON p.id = pu.project_id
                   JOIN partner_needs n ON n.id = p.need_id
                  WHERE pu.unit_id = s.unit_id AND n.category = $2)
           FROM partner_resources s JOIN partner_units u ON u.id = s.unit_id
          WHERE s.active = 1
            AND s.unit_id IN (SELECT r.unit_id FROM partner_reports r
                               WHERE r.community_code = $1 AND r.state IN ('pending', 'accepted'))
          ORDER BY s.id"
    )))
    .bind(community)
    .bind(category)
    .fetch_all(conn)
    .await?
    .iter()
    .map(|r| {
        let reported: bool = match r.try_get::<bool, _>(9) {
            Ok(b) => b,
            Err(_) => r.try_get::<i64, _>(9)? != 0,
        };
        Ok((resource_of(r)?, reported, r.try_get(10)?))
    })
    .collect()
}

/// The unit and community an agreement is with.
pub async fn agreement_owner(
    conn: &mut Conn,
    id: i64,
) -> Result<Option<(i64, String)>, StoreError> {
    let row = sqlx::query("SELECT unit_id, community_code FROM partner_agreements WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await?;
    row.map(|r| Ok::<_, StoreError>((r.try_get(0)?, r.try_get(1)?)))
        .transpose()
}

/// A unit's in-service party members reported in as volunteers (双报到, by
/// their employer's name or party organisation — as the member typed it,
/// so only in communities that accepted the unit): (name, community, the
/// hours they served in minutes).
pub async fn members(conn: &mut Conn, unit: i64) -> Result<Vec<(String, String, i64)>, StoreError> {
    sqlx::query(
        "SELECT v.name, v.community_code,
                COALESCE((SELECT l.balance FROM ledger_accounts l
                           WHERE l.holder = 'volunteer:' || v.id AND l.unit = 'hours'), 0)
           FROM volunteers v JOIN partner_units u ON v.employer_org IN (u.name, u.party_org)
          WHERE u.id = $1 AND v.party_member = 1
            AND v.community_code IN (SELECT r.community_code FROM partner_reports r
                                      WHERE r.unit_id = u.id AND r.state = 'accepted')
          ORDER BY v.community_code, v.name LIMIT 500",
    )
    .bind(unit)
    .fetch_all(conn)
    .await?
    .iter()
    .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
    .collect()
}
