//! 看板导出: the dashboard as an xlsx workbook — one sheet with every
//! indicator, its value and its formula, then one sheet per breakdown
//! (area, category, channel, handler, month) with the counts behind the
//! rates, so a street can check or chart the figures in Excel.

use crate::accounts::auth::Principal;
use crate::cases::dashboard::{Dashboard, Slice};
use crate::infra::xlsx::{Cell, SheetOut, write_book};
use crate::{App, AppError};
use linli_domain::access::RegionCode;

/// The columns of a breakdown sheet after its label.
const COUNT_HEADERS: [&str; 9] = [
    "上报数",
    "立案数",
    "派遣数",
    "处置数",
    "返工数",
    "结案数",
    "按期结案数",
    "评价数",
    "重办数",
];
/// The rates shown beside the counts, in `breakdown_row`'s order.
const RATE_HEADERS: [&str; 5] = ["响应率", "解决率", "满意率", "结案率", "按期结案率"];

/// A rate as a percentage number (two decimals), empty when undefined.
fn percent(x: Option<f64>) -> Cell {
    x.map_or(Cell::Empty, |v| {
        Cell::Number((v * 10_000.0).round() / 100.0)
    })
}

fn n(v: u64) -> Cell {
    Cell::Number(v as f64)
}

fn breakdown_row(s: &Slice) -> Vec<Cell> {
    let c = &s.counts;
    let mut row = vec![
        Cell::Text(s.label.clone()),
        n(c.received),
        n(c.registered),
        n(c.dispatched),
        n(c.handled),
        n(c.reworked),
        n(c.closed),
        n(c.closed_on_time),
        n(c.satisfied + c.fairly_satisfied + c.dissatisfied),
        n(c.reopened),
    ];
    let i = &s.indicators;
    row.extend(
        [
            i.response_rate,
            i.resolution_rate,
            i.satisfaction_rate,
            i.closure_rate,
            i.on_time_closure_rate,
        ]
        .map(percent),
    );
    row
}

/// The workbook of one dashboard.
pub fn dashboard_book(d: &Dashboard) -> Result<Vec<u8>, AppError> {
    let period = format!("{} 至 {}", d.from, d.to);
    let pair = |name: &str, v: Cell| vec![Cell::Text(name.to_owned()), v, Cell::Empty];
    let mut summary: Vec<Vec<Cell>> = vec![
        pair("区域代码", Cell::Text(d.code.to_string())),
        pair("统计区间", Cell::Text(period)),
        pair("上报数", n(d.total.counts.received)),
        pair("结案数", n(d.total.counts.closed)),
        pair("当前在办", Cell::Number(d.open_now as f64)),
        pair("当前超期", Cell::Number(d.overdue_now as f64)),
    ];
    summary.extend(
        d.total
            .indicators
            .labelled()
            .iter()
            .map(|(name, formula, v)| {
                vec![
                    Cell::Text(format!("{name}(%)")),
                    percent(*v),
                    Cell::Text((*formula).to_owned()),
                ]
            }),
    );
    let mut headers = vec!["维度"];
    headers.extend(COUNT_HEADERS);
    let rate_headers: Vec<String> = RATE_HEADERS.iter().map(|h| format!("{h}(%)")).collect();
    headers.extend(rate_headers.iter().map(String::as_str));
    let parts: [(&str, &[Slice]); 5] = [
        ("按区域", &d.by_area),
        ("按类别", &d.by_category),
        ("按来源渠道", &d.by_channel),
        ("按处置主体", &d.by_handler),
        ("按月份", &d.by_month),
    ];
    let tables: Vec<(&str, Vec<Vec<Cell>>)> = parts
        .iter()
        .map(|(name, v)| (*name, v.iter().map(breakdown_row).collect()))
        .collect();
    let mut sheets = vec![SheetOut {
        name: "指标",
        headers: &["项目", "数值", "口径"],
        rows: &summary,
    }];
    sheets.extend(tables.iter().map(|(name, rows)| SheetOut {
        name,
        headers: &headers,
        rows,
    }));
    write_book(&sheets)
}

impl App {
    /// [`App::dashboard`] as an xlsx workbook (same access rule).
    pub async fn dashboard_xlsx(
        &self,
        who: &Principal,
        code: &RegionCode,
        from: time::Date,
        to: time::Date,
    ) -> Result<Vec<u8>, AppError> {
        let d = self.dashboard(who, code, from, to).await?;
        dashboard_book(&d)
    }
}
