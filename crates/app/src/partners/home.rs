//! The pages' views of units: one unit as the caller may see it (its
//! standing, agreements, resources, 双报到 members, projects) and the 共建
//! home for staff, readers and a unit's own accounts.

use super::units::{
    AgreementLine, ReportLine, ResourceLine, report_line, resource_line, unit_kind,
};
use super::{manages, my_unit, read_prefixes, reads};
use crate::accounts::auth::Principal;
use crate::{App, AppError};
use linli_domain::access::{Permission, RegionCode, Role, scope_prefixes};
use linli_store::partners::needs as nstore;
use linli_store::partners::projects as pstore;
use linli_store::partners::units::{self as store, UnitRow};

/// A unit as the caller may see it.
#[derive(Debug, Clone)]
pub struct UnitView {
    pub id: i64,
    pub name: String,
    pub kind: &'static str,
    pub party_org: String,
    pub committee_member: String,
    /// the unit's office contact: staff and the unit only
    pub contact: Option<String>,
    pub reports: Vec<ReportLine>,
    pub agreements: Vec<AgreementLine>,
    pub resources: Vec<ResourceLine>,
    pub projects: Vec<super::ProjectLine>,
    /// its in-service party members reported in where they live (双报到):
    /// (name — masked unless the caller is the unit or staff there — and hours)
    pub members: Vec<(String, String)>,
    /// communities where the caller may sign an agreement for it
    pub sign_in: Vec<(String, String)>,
    pub own: bool,
    pub may_offer: bool,
}

/// The 共建 home page.
#[derive(Debug, Clone, Default)]
pub struct PartnersHome {
    /// the caller's communities as staff: (code, name)
    pub communities: Vec<(String, String)>,
    pub staff: bool,
    pub reader: bool,
    /// a partner account: its unit, or none yet (it registers one)
    pub partner: bool,
    pub unit: Option<(i64, String)>,
    /// communities the unit may still report in to: (code, name)
    pub may_report: Vec<(String, String)>,
    pub reports: Vec<ReportLine>,
    pub needs: Vec<super::NeedLine>,
    pub projects: Vec<super::ProjectLine>,
    pub meetings: Vec<super::MeetingLine>,
    pub figures: Option<super::PartnersFigures>,
}

impl App {
    /// One unit: its own staff, or readers of a community it reported to.
    pub async fn partner_unit(&self, who: &Principal, id: i64) -> Result<UnitView, AppError> {
        let mut conn = self.db.conn().await?;
        let u: UnitRow = store::unit(&mut conn, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let own = my_unit(&mut conn, who).await? == Some(id);
        let reports = store::reports_of(&mut conn, id).await?;
        let mut seen = own;
        let mut sign_in = Vec::new();
        for r in &reports {
            seen |= reads(who, &r.community_code)?;
            if r.state == "accepted" && manages(who, &r.community_code)? {
                sign_in.push((r.community_code.clone(), r.community_name.clone()));
            }
        }
        if !seen {
            return Err(AppError::NotFound);
        }
        let staff = !sign_in.is_empty();
        let rows = store::agreements_of(&mut conn, id).await?;
        let ids: Vec<i64> = rows.iter().map(|a| a.id).collect();
        let scans = linli_store::partners::photos::of(&mut conn, "agreement", &ids).await?;
        let agreements = rows
            .into_iter()
            .filter(|a| own || reads(who, &a.community_code).unwrap_or(false))
            .map(|a| AgreementLine {
                scans: scans
                    .iter()
                    .filter(|p| p.owner_id == a.id)
                    .map(|p| (p.id, p.width, p.height))
                    .collect(),
                community: reports
                    .iter()
                    .find(|r| r.community_code == a.community_code)
                    .map_or(a.community_code.clone(), |r| r.community_name.clone()),
                title: a.title,
                commitments: a.commitments.lines().map(str::to_owned).collect(),
                term: format!("{} 至 {}", a.start_date, a.end_date),
            })
            .collect();
        let resources = store::resources_of(&mut conn, id)
            .await?
            .into_iter()
            .map(resource_line)
            .collect();
        let projects = pstore::of_unit(&mut conn, id)
            .await?
            .into_iter()
            .filter(|p| own || reads(who, &p.community_code).unwrap_or(false))
            .map(super::projects::line)
            .collect();
        // names for the community's staff, masked for the street; a unit
        // reads how many and how long, not who (the match is by the employer
        // its members typed, which a unit could imitate)
        let mut members = Vec::new();
        let (mut count, mut total) = (0usize, 0i64);
        for (name, community, minutes) in store::members(&mut conn, id).await? {
            if manages(who, &community)? {
                members.push((name, super::projects::hours_of(minutes)));
            } else if reads(who, &community)? {
                let masked = linli_domain::registry::mask_name(&name);
                members.push((masked, super::projects::hours_of(minutes)));
            } else if own {
                count += 1;
                total += minutes;
            }
        }
        if count > 0 {
            members.push((
                format!("在职党员 {count} 人"),
                super::projects::hours_of(total),
            ));
        }
        Ok(UnitView {
            members,
            id,
            kind: unit_kind(&u.kind),
            contact: (own || staff)
                .then(|| format!("{} {}", u.contact_name, phone_text(&u.contact_phone))),
            name: u.name,
            party_org: u.party_org,
            committee_member: u.committee_member,
            reports: reports
                .into_iter()
                .filter(|r| own || reads(who, &r.community_code).unwrap_or(false))
                .map(report_line)
                .collect(),
            agreements,
            resources,
            projects,
            sign_in,
            may_offer: own || staff,
            own,
        })
    }

    /// The 共建 home: staff see reports to answer, needs, meetings,
    /// projects and the year's figures; a unit its standing, the needs open
    /// to it and its projects.
    pub async fn partners_home(&self, who: &Principal) -> Result<PartnersHome, AppError> {
        let mut conn = self.db.conn().await?;
        let prefixes = read_prefixes(who);
        let partner = who.grants.iter().any(|g| g.role == Role::PartnerUnit);
        if prefixes.is_empty() && !partner {
            return Err(AppError::Forbidden);
        }
        let mut home = PartnersHome {
            staff: !scope_prefixes(&who.grants, Permission::ManagePartners).is_empty(),
            reader: !prefixes.is_empty(),
            partner,
            ..PartnersHome::default()
        };
        if home.reader {
            home.communities = self.partner_communities(&mut conn, who).await?;
            home.reports = store::reports_in(&mut conn, &prefixes)
                .await?
                .into_iter()
                .map(report_line)
                .collect();
            home.needs = nstore::in_scope(&mut conn, &prefixes, &["open", "taken"])
                .await?
                .into_iter()
                .map(super::needs::line)
                .collect();
            home.projects = pstore::in_scope(&mut conn, &prefixes)
                .await?
                .into_iter()
                .map(super::projects::line)
                .collect();
            home.meetings = super::meetings::lines(&mut conn, &prefixes).await?;
            let year = crate::today().year();
            home.figures = Some(super::evaluation::figures_in(&mut conn, &prefixes, year).await?);
        }
        if let Some(unit) = my_unit(&mut conn, who).await? {
            let u = store::unit(&mut conn, unit)
                .await?
                .ok_or(AppError::NotFound)?;
            home.unit = Some((unit, u.name));
            let mine = store::reports_of(&mut conn, unit).await?;
            home.may_report = self
                .reachable_communities(&mut conn, who)
                .await?
                .into_iter()
                .filter(|(c, _)| {
                    !mine
                        .iter()
                        .any(|r| &r.community_code == c && r.state != "declined")
                })
                .collect();
            if !home.reader {
                home.reports = mine.into_iter().map(report_line).collect();
                home.needs = nstore::open_to_unit(&mut conn, unit)
                    .await?
                    .into_iter()
                    .map(super::needs::line)
                    .collect();
                home.projects = pstore::of_unit(&mut conn, unit)
                    .await?
                    .into_iter()
                    .map(super::projects::line)
                    .collect();
            }
        }
        Ok(home)
    }

    /// The communities the caller manages partners in: (code, name).
    async fn partner_communities(
        &self,
        conn: &mut linli_store::Conn,
        who: &Principal,
    ) -> Result<Vec<(String, String)>, AppError> {
        let prefixes = scope_prefixes(&who.grants, Permission::ManagePartners);
        communities_under(conn, &prefixes).await
    }

    /// The communities a partner account's grants reach: (code, name).
    async fn reachable_communities(
        &self,
        conn: &mut linli_store::Conn,
        who: &Principal,
    ) -> Result<Vec<(String, String)>, AppError> {
        let prefixes: Vec<String> = who
            .grants
            .iter()
            .filter(|g| g.role == Role::PartnerUnit)
            .map(|g| g.scope.significant_prefix().to_owned())
            .collect();
        communities_under(conn, &prefixes).await
    }
}

/// A phone as people read it: `0431-85551234`, `138 1234 5678`.
fn phone_text(p: &str) -> String {
    let short = p.starts_with("01") || p.starts_with("02");
    match p.chars().next() {
        Some('0') if p.len() > 4 => {
            let cut = if short { 3 } else { 4 };
            format!("{}-{}", &p[..cut], &p[cut..])
        }
        Some('1') if p.len() == 11 => format!("{} {} {}", &p[..3], &p[3..7], &p[7..]),
        _ => p.to_owned(),
    }
}

/// The communities (12 significant digits) under some prefix.
async fn communities_under(
    conn: &mut linli_store::Conn,
    prefixes: &[String],
) -> Result<Vec<(String, String)>, AppError> {
    let mut out = Vec::new();
    for p in prefixes {
        let code: RegionCode = if p.is_empty() {
            RegionCode::country()
        } else {
            p.chars().take(12).collect::<String>().parse()?
        };
        for (c, n) in linli_store::territory::regions::communities_under(conn, &code).await? {
            if !out.iter().any(|(x, _): &(String, String)| x == &c) {
                out.push((c, n));
            }
        }
    }
    Ok(out)
}
