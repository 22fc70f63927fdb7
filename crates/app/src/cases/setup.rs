//! What the loop runs on, edited by staff: routing rules (派单规则,
//! category × territory node → default handler; community staff for their
//! own subtree), the category tree and the holiday calendar (both
//! deployment-wide: district or system administrators). Every change is
//! audited. A rule or calendar change applies to the next dispatch or
//! deadline; cases already timed keep their deadline.

use crate::accounts::auth::Principal;
use crate::{Actor, App, AppError, event};
use linli_domain::access::{Permission, RegionCode, allowed, configures_deployment};
use linli_domain::cases::setup::{self as rules, SetupError};
use linli_domain::cases::{DayKind, HandlerKind};
use linli_store::cases::setup::{self as store, Category, Route};
use linli_store::{Conn, audit, territory::places, territory::regions};
use time::Date;

/// A routing rule as lists show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteView {
    pub category_code: String,
    pub category_name: String,
    pub scope: String,
    pub handler_kind: HandlerKind,
    pub handler_name: String,
}

/// A new category: under `parent` (a top-level code) or top-level.
#[derive(Debug, Clone)]
pub struct NewCategory {
    pub parent: Option<String>,
    pub code: String,
    pub name: String,
    pub deadline_days: i64,
    pub urgent_hours: i64,
}

/// What to change on a category (absent: unchanged).
#[derive(Debug, Clone, Default)]
pub struct CategoryChange {
    pub name: Option<String>,
    pub deadline_days: Option<i64>,
    pub urgent_hours: Option<i64>,
    pub active: Option<bool>,
}

fn invalid(e: SetupError) -> AppError {
    AppError::Invalid(e.to_string())
}

fn configure(who: &Principal) -> Result<(), AppError> {
    if configures_deployment(&who.grants) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

async fn category(conn: &mut Conn, code: &str) -> Result<Category, AppError> {
    store::category_by_code(conn, code)
        .await?
        .ok_or_else(|| AppError::Invalid(format!("没有诉求类别“{code}”")))
}

impl App {
    /// The routing rules on `scope`'s subtree (the caller manages cases there).
    pub async fn case_routes(
        &self,
        who: &Principal,
        scope: &RegionCode,
    ) -> Result<Vec<RouteView>, AppError> {
        if !allowed(&who.grants, Permission::ManageCases, scope) {
            return Err(AppError::Forbidden);
        }
        let mut conn = self.db.conn().await?;
        let cats = store::categories(&mut conn).await?;
        let rows = store::routes_in(&mut conn, scope.significant_prefix()).await?;
        Ok(rows
            .into_iter()
            .filter_map(|(cat, r)| {
                let k = cats.iter().find(|k| k.id == cat)?;
                Some(RouteView {
                    category_code: k.code.clone(),
                    category_name: k.name.clone(),
                    scope: r.scope,
                    handler_kind: r.handler_kind.parse().ok()?,
                    handler_name: r.handler_name,
                })
            })
            .collect())
    }

    /// Sets the default handler of a (leaf) category on a territory node
    /// (a region or a grid) the caller manages cases on.
    pub async fn set_case_route(
        &self,
        who: &Principal,
        rule: &RouteView,
        actor: &Actor,
    ) -> Result<(), AppError> {
        let scope: RegionCode = rule
            .scope
            .parse()
            .map_err(|_| AppError::Invalid("请选择派单规则适用的区划或网格".into()))?;
        if !allowed(&who.grants, Permission::ManageCases, &scope) {
            return Err(AppError::Forbidden);
        }
        let name = linli_domain::territory::places::clean_name(&rule.handler_name, 60)
            .map_err(|_| AppError::Invalid("处置主体名称须为 1–60 字".into()))?;
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        let known = regions::get(&mut tx, &scope).await?.is_some()
            || places::grid_by_code(&mut tx, &scope).await?.is_some();
        if !known {
            return Err(AppError::Invalid(format!("没有区划或网格“{scope}”")));
        }
        let cat = category(&mut tx, &rule.category_code).await?;
        if cat.parent_id.is_none() {
            return Err(AppError::Invalid("派单规则须针对二级类别".into()));
        }
        let route = Route {
            scope: scope.to_string(),
            handler_kind: rule.handler_kind.as_str().to_owned(),
            handler_name: name.clone(),
        };
        store::set_route(&mut tx, cat.id, &route, now).await?;
        audit::append(
            &mut tx,
            event(
                actor,
                "case.route.set",
                format!("route:{}:{scope}", cat.code),
                format!("{} → {} {name}", cat.name, rule.handler_kind.as_str()),
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Removes a rule; false when there was none.
    pub async fn delete_case_route(
        &self,
        who: &Principal,
        category_code: &str,
        scope: &RegionCode,
        actor: &Actor,
    ) -> Result<bool, AppError> {
        if !allowed(&who.grants, Permission::ManageCases, scope) {
            return Err(AppError::Forbidden);
        }
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        let cat = category(&mut tx, category_code).await?;
        let gone = store::delete_route(&mut tx, cat.id, scope.as_str()).await?;
        if gone {
            audit::append(
                &mut tx,
                event(
                    actor,
                    "case.route.delete",
                    format!("route:{}:{scope}", cat.code),
                    cat.name.clone(),
                ),
                now,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(gone)
    }

    /// A year's calendar entries, by date (every signed-in user may read).
    pub async fn calendar_year(&self, year: i32) -> Result<Vec<(Date, DayKind, String)>, AppError> {
        let days = store::calendar_days(&mut *self.db.conn().await?).await?;
        Ok(days
            .into_iter()
            .filter_map(|(d, k, n)| {
                let day = linli_domain::registry::parse_date(&d)?;
                (day.year() == year).then_some((day, k.parse().ok()?, n))
            })
            .collect())
    }

    /// Replaces a year's calendar (the State Council's notice, as entered).
    pub async fn set_calendar_year(
        &self,
        who: &Principal,
        year: i32,
        days: &[(Date, DayKind, String)],
        actor: &Actor,
    ) -> Result<(), AppError> {
        configure(who)?;
        if !(2000..=2100).contains(&year) {
            return Err(AppError::Invalid("年份应在 2000–2100 之间".into()));
        }
        rules::check_year(year, days).map_err(invalid)?;
        let rows: Vec<(String, String, String)> = days
            .iter()
            .map(|(d, k, n)| {
                let day = format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day());
                (day, k.as_str().to_owned(), n.trim().to_owned())
            })
            .collect();
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        store::replace_year(&mut tx, year, &rows).await?;
        let (off, on) = days.iter().fold((0, 0), |(o, w), (_, k, _)| match k {
            DayKind::Holiday => (o + 1, w),
            DayKind::Workday => (o, w + 1),
        });
        audit::append(
            &mut tx,
            event(
                actor,
                "case.calendar.set",
                format!("calendar:{year}"),
                format!("{off} holidays, {on} make-up workdays"),
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        // after the commit: a read before it would cache the old year again
        self.forget_calendar();
        Ok(())
    }

    /// Adds a category to the tree.
    pub async fn add_case_category(
        &self,
        who: &Principal,
        c: &NewCategory,
        actor: &Actor,
    ) -> Result<Category, AppError> {
        configure(who)?;
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        let parent = match c.parent.as_deref().filter(|p| !p.is_empty()) {
            Some(p) => Some(category(&mut tx, p).await?),
            None => None,
        };
        rules::check_category(
            parent
                .as_ref()
                .map(|p| (p.code.as_str(), p.parent_id.is_some())),
            c.code.trim(),
            &c.name,
            c.deadline_days,
            c.urgent_hours,
        )
        .map_err(invalid)?;
        if store::category_by_code(&mut tx, c.code.trim())
            .await?
            .is_some()
        {
            return Err(AppError::Conflict(format!(
                "类别编码“{}”已存在",
                c.code.trim()
            )));
        }
        let mut row = Category {
            id: 0,
            parent_id: parent.map(|p| p.id),
            code: c.code.trim().to_owned(),
            name: c.name.trim().to_owned(),
            deadline_days: c.deadline_days,
            urgent_hours: c.urgent_hours,
            active: true,
        };
        row.id = store::insert_category(&mut tx, &row, now).await?;
        audit::append(
            &mut tx,
            event(
                actor,
                "case.category.add",
                format!("category:{}", row.code),
                row.name.clone(),
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        self.forget_categories();
        Ok(row)
    }

    /// Renames, re-times or (de)activates a category. A deactivated one
    /// takes no new cases; its cases and figures stay.
    pub async fn change_case_category(
        &self,
        who: &Principal,
        code: &str,
        change: &CategoryChange,
        actor: &Actor,
    ) -> Result<Category, AppError> {
        configure(who)?;
        let now = crate::now();
        let mut tx = self.db.begin().await?;
        let mut row = category(&mut tx, code).await?;
        if let Some(n) = &change.name {
            row.name = n.trim().to_owned();
        }
        row.deadline_days = change.deadline_days.unwrap_or(row.deadline_days);
        row.urgent_hours = change.urgent_hours.unwrap_or(row.urgent_hours);
        row.active = change.active.unwrap_or(row.active);
        if row.code == crate::cases::UNSORTED && !row.active {
            return Err(AppError::Invalid(
                "“其他”类别收容未分类的诉求,不能停用".into(),
            ));
        }
        rules::check_terms(&row.name, row.deadline_days, row.urgent_hours).map_err(invalid)?;
        store::update_category(&mut tx, &row).await?;
        audit::append(
            &mut tx,
            event(
                actor,
                "case.category.change",
                format!("category:{}", row.code),
                format!(
                    "{} {}d {}h active={}",
                    row.name, row.deadline_days, row.urgent_hours, row.active
                ),
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        self.forget_categories();
        Ok(row)
    }
}
