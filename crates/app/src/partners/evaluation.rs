//! 年度考评: each year the community rates each unit accepted there —
//! commitments signed, projects joined and finished, money, goods and
//! hours put in, and the hours its in-service party members served as
//! volunteers (双报到) — with a score, its grade and a comment; the sheet
//! exports as xlsx for the street and the unit's superior. And the year's
//! figures per community or street, read from the roll-up.

use super::projects::hours_of;
use super::units::unit_kind;
use super::{community_code, manages, my_unit, read_prefixes, reads};
use crate::accounts::auth::Principal;
use crate::infra::xlsx::{Cell, SheetOut, write_book};
use crate::{Actor, App, AppError, event};
use linli_domain::deliberation::shares::yuan_text;
use linli_domain::partners as rules;
use linli_domain::time::china_year_start;
use linli_store::Conn;
use linli_store::audit;
use linli_store::partners::projects as store;

/// One unit's line on the evaluation sheet.
#[derive(Debug, Clone)]
pub struct EvaluationLine {
    pub unit_id: i64,
    pub unit: String,
    pub kind: &'static str,
    pub commitments: i64,
    pub projects: i64,
    pub projects_done: i64,
    pub money: String,
    pub goods: String,
    pub hours: String,
    pub member_hours: String,
    pub score: Option<i64>,
    pub grade: Option<String>,
    pub comment: String,
}

/// The year's figures of a community, street or district.
#[derive(Debug, Clone, Default)]
pub struct PartnersFigures {
    pub year: i32,
    pub units: i64,
    pub commitments: i64,
    pub needs_open: i64,
    pub needs_opened: i64,
    pub needs_met: i64,
    pub projects_started: i64,
    pub projects_done: i64,
    pub money: String,
    pub goods: String,
    pub hours: String,
}

pub(super) async fn figures_in(
    conn: &mut Conn,
    prefixes: &[String],
    year: i32,
) -> Result<PartnersFigures, AppError> {
    let (t, (units, commitments, needs_open)) = store::figures(conn, prefixes, year).await?;
    Ok(PartnersFigures {
        year,
        units,
        commitments,
        needs_open,
        needs_opened: t.needs_opened,
        needs_met: t.needs_met,
        projects_started: t.projects_started,
        projects_done: t.projects_done,
        money: yuan_text(t.money_fen),
        goods: yuan_text(t.goods_fen),
        hours: hours_of(t.minutes),
    })
}

impl App {
    /// The evaluation sheet of a community for a year: its staff and
    /// readers see every unit; a unit's accounts their own line.
    pub async fn evaluation_sheet(
        &self,
        who: &Principal,
        community: &str,
        year: i32,
    ) -> Result<Vec<EvaluationLine>, AppError> {
        let code = community_code(community)?;
        if !(2000..=2100).contains(&year) {
            return Err(super::invalid("年份不对"));
        }
        let mut conn = self.db.conn().await?;
        let own = if reads(who, &code)? {
            None
        } else {
            Some(my_unit(&mut conn, who).await?.ok_or(AppError::Forbidden)?)
        };
        let range = (china_year_start(year), china_year_start(year + 1));
        let rows = store::unit_years(&mut conn, &code, year, range).await?;
        if let Some(u) = own
            && !rows.iter().any(|r| r.unit_id == u)
        {
            return Err(AppError::Forbidden);
        }
        Ok(rows
            .into_iter()
            .filter(|r| own.is_none_or(|u| u == r.unit_id))
            .map(|r| {
                let (score, grade, comment) = match r.evaluation {
                    Some((s, g, c)) => (Some(s), Some(g), c),
                    None => (None, None, String::new()),
                };
                EvaluationLine {
                    unit_id: r.unit_id,
                    kind: unit_kind(&r.kind),
                    unit: r.name,
                    commitments: r.commitments,
                    projects: r.projects,
                    projects_done: r.projects_done,
                    money: yuan_text(r.money_fen),
                    goods: yuan_text(r.goods_fen),
                    hours: hours_of(r.minutes),
                    member_hours: hours_of(r.member_minutes),
                    score,
                    grade,
                    comment,
                }
            })
            .collect())
    }

    /// Staff rate a unit accepted in their community for a year (again
    /// replaces the earlier rating; both are in the audit log).
    pub async fn evaluate_unit(
        &self,
        who: &Principal,
        community: &str,
        unit: i64,
        year: i32,
        (score, comment): (i64, &str),
        actor: &Actor,
    ) -> Result<(), AppError> {
        let code = community_code(community)?;
        if !manages(who, &code)? {
            return Err(AppError::Forbidden);
        }
        if !(2000..=2100).contains(&year) {
            return Err(super::invalid("年份不对"));
        }
        let grade = rules::grade(score)?;
        let comment = rules::optional("评语", comment, 500)?;
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        if !linli_store::partners::units::reported_in(&mut tx, unit, &code).await? {
            return Err(super::invalid("只考评在本社区报到的单位"));
        }
        store::evaluate(
            &mut tx,
            unit,
            &code,
            year,
            (score, grade, &comment),
            who.user_id,
            now,
        )
        .await?;
        audit::append(
            &mut tx,
            event(
                actor,
                "partner.evaluate",
                format!("partner_unit:{unit}"),
                format!("{code} {year} score={score}"),
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The evaluation sheet as an xlsx workbook (same access rule).
    pub async fn evaluation_xlsx(
        &self,
        who: &Principal,
        community: &str,
        year: i32,
    ) -> Result<Vec<u8>, AppError> {
        let lines = self.evaluation_sheet(who, community, year).await?;
        let rows: Vec<Vec<Cell>> = lines
            .iter()
            .map(|l| {
                vec![
                    Cell::Text(l.unit.clone()),
                    Cell::Text(l.kind.to_owned()),
                    Cell::Number(l.commitments as f64),
                    Cell::Number(l.projects as f64),
                    Cell::Number(l.projects_done as f64),
                    Cell::Text(l.money.clone()),
                    Cell::Text(l.goods.clone()),
                    Cell::Text(l.hours.clone()),
                    Cell::Text(l.member_hours.clone()),
                    l.score.map_or(Cell::Empty, |s| Cell::Number(s as f64)),
                    Cell::Text(l.grade.clone().unwrap_or_else(|| "未考评".to_owned())),
                    Cell::Text(l.comment.clone()),
                ]
            })
            .collect();
        let name = format!("{year}年度考评");
        write_book(&[SheetOut {
            name: &name,
            headers: &[
                "单位",
                "类型",
                "承诺事项",
                "参与项目",
                "完成项目",
                "共建资金(元)",
                "物资折价(元)",
                "服务时长",
                "在职党员志愿服务",
                "得分",
                "等次",
                "评语",
            ],
            rows: &rows,
        }])
    }

    /// The year's figures over the caller's whole scope (or one node in it).
    pub async fn partners_figures(
        &self,
        who: &Principal,
        year: i32,
    ) -> Result<PartnersFigures, AppError> {
        let prefixes = read_prefixes(who);
        if prefixes.is_empty() {
            return Err(AppError::Forbidden);
        }
        let mut conn = self.db.conn().await?;
        figures_in(&mut conn, &prefixes, year).await
    }
}
