//! The indicators of `references/indicators.md`, from counted facts. A
//! ratio with nothing to divide by is `None` ("—" on a dashboard, with the
//! reason), never 0 % or 100 %. Weights are configuration.
//!
//! Every rate is a share of one set of cases: those **received in the
//! period** (the cohort, see `tally`) that entered the rate's set, and its
//! numerator counts a subset of them, each case once. So a rate lies in
//! [0, 1] for every node, breakdown and period.

/// What was counted for one territory subtree and period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// 上报数
    pub received: u64,
    /// 有效上报数
    pub valid: u64,
    /// 立案数
    pub registered: u64,
    /// 作废数
    pub cancelled: u64,
    /// 应派遣数 / 派遣数 / 按时派遣数
    pub to_dispatch: u64,
    pub dispatched: u64,
    pub dispatched_on_time: u64,
    /// 应处置数 / 处置数 / 按期处置数
    pub to_handle: u64,
    pub handled: u64,
    pub handled_on_time: u64,
    /// 返工数
    pub reworked: u64,
    /// 应结案数 / 结案数 / 按期结案数 / 缓办数
    pub to_close: u64,
    pub closed: u64,
    pub closed_on_time: u64,
    pub postponed: u64,
    /// signed for and the reporter contacted within the response deadline
    pub responded_in_time: u64,
    /// rated or verified as resolved
    pub resolved: u64,
    /// 满意 / 基本满意 / 不满意
    pub satisfied: u64,
    pub fairly_satisfied: u64,
    pub dissatisfied: u64,
    /// closed without rework or reopen
    pub first_time: u64,
    /// 重办: reopened after a 不满意 rating
    pub reopened: u64,
    /// 简易问题自行处置: closed on the spot by a grid worker
    pub on_spot: u64,
    /// closed (and closed on time) after a postponement: excused from 结案率
    pub excused_closed: u64,
    pub excused_closed_on_time: u64,
}

/// How much a 基本满意 counts toward 满意率 (1.0 = fully; some cities 0.8).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SatisfactionWeights {
    pub fairly: f64,
}

impl Default for SatisfactionWeights {
    fn default() -> Self {
        SatisfactionWeights { fairly: 1.0 }
    }
}

/// `num / den`, `None` when there is nothing to divide by.
pub fn ratio(num: u64, den: u64) -> Option<f64> {
    (den > 0).then(|| num as f64 / den as f64)
}

/// Every indicator, as a fraction (0.9372 for 93.72 %).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Indicators {
    pub valid_report_rate: Option<f64>,
    pub accurate_registration_rate: Option<f64>,
    pub on_time_dispatch_rate: Option<f64>,
    pub accurate_dispatch_rate: Option<f64>,
    pub handling_rate: Option<f64>,
    pub on_time_handling_rate: Option<f64>,
    pub rework_rate: Option<f64>,
    pub closure_rate: Option<f64>,
    pub on_time_closure_rate: Option<f64>,
    pub response_rate: Option<f64>,
    pub resolution_rate: Option<f64>,
    pub satisfaction_rate: Option<f64>,
    pub first_time_rate: Option<f64>,
}

impl Indicators {
    pub fn compute(c: &Counts, w: SatisfactionWeights) -> Indicators {
        let closable = c.to_close.saturating_sub(c.postponed);
        let rated = c.satisfied + c.fairly_satisfied + c.dissatisfied;
        Indicators {
            valid_report_rate: ratio(c.valid, c.received),
            accurate_registration_rate: ratio(
                c.registered.saturating_sub(c.cancelled),
                c.registered,
            ),
            on_time_dispatch_rate: ratio(c.dispatched_on_time, c.to_dispatch),
            accurate_dispatch_rate: ratio(c.dispatched.saturating_sub(c.reworked), c.to_dispatch),
            handling_rate: ratio(c.handled, c.to_handle),
            on_time_handling_rate: ratio(c.handled_on_time, c.to_handle),
            rework_rate: ratio(c.reworked, c.handled),
            closure_rate: ratio(c.closed.saturating_sub(c.excused_closed), closable),
            on_time_closure_rate: ratio(
                c.closed_on_time.saturating_sub(c.excused_closed_on_time),
                closable,
            ),
            response_rate: ratio(c.responded_in_time, c.received),
            resolution_rate: ratio(c.resolved, c.closed),
            satisfaction_rate: (rated > 0).then(|| {
                (c.satisfied as f64 + w.fairly * c.fairly_satisfied as f64) / rated as f64
            }),
            first_time_rate: ratio(c.first_time, c.closed),
        }
    }
}

/// One indicator as a dashboard shows it: its name, the set of cases it
/// is about and the event that counts, the two counts a reader can
/// recompute it from, the value, and why there is none.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Figure {
    pub name: &'static str,
    /// numerator / denominator in words
    pub formula: &'static str,
    /// which cases, and what counts
    pub definition: &'static str,
    pub numerator: f64,
    pub denominator: u64,
    pub value: Option<f64>,
    /// shown instead of a value when the denominator is zero
    pub empty: &'static str,
}

/// An indicator's Chinese name, its formula as the dashboard explains it
/// (references/indicators.md), and its value.
pub type Labelled = (&'static str, &'static str, Option<f64>);

impl Indicators {
    /// Every indicator in the order the dashboard and its export show them.
    pub fn labelled(&self) -> [Labelled; 13] {
        let c = Counts::default();
        let f = figures(&c, SatisfactionWeights::default());
        let v = [
            self.response_rate,
            self.resolution_rate,
            self.satisfaction_rate,
            self.valid_report_rate,
            self.accurate_registration_rate,
            self.on_time_dispatch_rate,
            self.accurate_dispatch_rate,
            self.handling_rate,
            self.on_time_handling_rate,
            self.rework_rate,
            self.closure_rate,
            self.on_time_closure_rate,
            self.first_time_rate,
        ];
        std::array::from_fn(|i| (f[i].name, f[i].formula, v[i]))
    }
}

/// Every indicator with its counts, in the dashboard's order.
pub fn figures(c: &Counts, w: SatisfactionWeights) -> [Figure; 13] {
    let i = Indicators::compute(c, w);
    let closable = c.to_close.saturating_sub(c.postponed);
    let rated = c.satisfied + c.fairly_satisfied + c.dissatisfied;
    let fig = |name, formula, definition, numerator: u64, denominator, value, empty| Figure {
        name,
        formula,
        definition,
        numerator: numerator as f64,
        denominator,
        value,
        empty,
    };
    [
        fig(
            "响应率",
            "按时签收的案件 / 受理数",
            "本期收到的案件中,在响应时限内签收(受理或当场办结)的比例",
            c.responded_in_time,
            c.received,
            i.response_rate,
            "本期未收到案件",
        ),
        fig(
            "解决率",
            "已解决的案件 / 结案数",
            "本期收到并已结案的案件中,核查通过或当场解决、且未因不满意重办的比例",
            c.resolved,
            c.closed,
            i.resolution_rate,
            "本期收到的案件尚无结案",
        ),
        Figure {
            name: "满意率",
            formula: "(满意 + 基本满意) / 评价数",
            definition: "本期收到并已评价的案件中,最近一次评价为满意或基本满意的比例(基本满意可按配置折算)",
            numerator: c.satisfied as f64 + w.fairly * c.fairly_satisfied as f64,
            denominator: rated,
            value: i.satisfaction_rate,
            empty: "本期收到的案件尚无评价",
        },
        fig(
            "有效上报率",
            "有效上报数 / 上报数",
            "本期收到的案件中,被受理或当场办结(未被退回)的比例",
            c.valid,
            c.received,
            i.valid_report_rate,
            "本期未收到案件",
        ),
        fig(
            "准确立案率",
            "(立案数 − 作废数) / 立案数",
            "本期收到并立案的案件中,立案后未被作废的比例",
            c.registered.saturating_sub(c.cancelled),
            c.registered,
            i.accurate_registration_rate,
            "本期无立案案件",
        ),
        fig(
            "按时派遣率",
            "按时派遣数 / 应派遣数",
            "本期收到并立案的案件中,在派遣时限内首次派遣的比例",
            c.dispatched_on_time,
            c.to_dispatch,
            i.on_time_dispatch_rate,
            "本期无应派遣案件",
        ),
        fig(
            "准确派遣率",
            "(派遣数 − 返工数) / 应派遣数",
            "本期收到并立案的案件中,已派遣且未被返工的比例(每件只计一次)",
            c.dispatched.saturating_sub(c.reworked),
            c.to_dispatch,
            i.accurate_dispatch_rate,
            "本期无应派遣案件",
        ),
        fig(
            "处置率",
            "处置数 / 应处置数",
            "本期收到并已派遣的案件中,至少处置过一次的比例(返工再处置不重复计)",
            c.handled,
            c.to_handle,
            i.handling_rate,
            "本期无应处置案件",
        ),
        fig(
            "按期处置率",
            "按期处置数 / 应处置数",
            "本期收到并已派遣的案件中,首次处置在期限内的比例",
            c.handled_on_time,
            c.to_handle,
            i.on_time_handling_rate,
            "本期无应处置案件",
        ),
        fig(
            "返工率",
            "返工数 / 处置数",
            "本期收到并已处置的案件中,核查不通过被返工至少一次的比例",
            c.reworked,
            c.handled,
            i.rework_rate,
            "本期收到的案件尚无处置",
        ),
        fig(
            "结案率",
            "结案数 / (应结案数 − 缓办数)",
            "本期收到并立案、且结案前未缓办的案件中,已结案的比例",
            c.closed.saturating_sub(c.excused_closed),
            closable,
            i.closure_rate,
            "本期无应结案件",
        ),
        fig(
            "按期结案率",
            "按期结案数 / (应结案数 − 缓办数)",
            "本期收到并立案、且结案前未缓办的案件中,在期限内首次结案的比例",
            c.closed_on_time.saturating_sub(c.excused_closed_on_time),
            closable,
            i.on_time_closure_rate,
            "本期无应结案件",
        ),
        fig(
            "一次办结率",
            "未经返工和重办的结案 / 结案数",
            "本期收到并已结案的案件中,未经返工、也未重办的比例",
            c.first_time,
            c.closed,
            i.first_time_rate,
            "本期收到的案件尚无结案",
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pct(x: Option<f64>) -> String {
        x.map_or("—".into(), |v| format!("{:.2}", v * 100.0))
    }

    #[test]
    fn the_tianmen_month_adds_up() {
        // references/indicators.md: 受理 1054, 立案 996, 应结案 972, 结案 911, 按期结案 737
        let c = Counts {
            received: 1054,
            registered: 996,
            to_close: 972,
            closed: 911,
            closed_on_time: 737,
            ..Counts::default()
        };
        let i = Indicators::compute(&c, SatisfactionWeights::default());
        assert_eq!(pct(i.closure_rate), "93.72");
        assert_eq!(pct(i.on_time_closure_rate), "75.82");
        // postponed cases leave the denominator
        let p = Indicators::compute(
            &Counts { postponed: 22, ..c },
            SatisfactionWeights::default(),
        );
        assert_eq!(pct(p.closure_rate), "95.89");
    }

    #[test]
    fn nothing_to_divide_by_is_no_figure() {
        let i = Indicators::compute(&Counts::default(), SatisfactionWeights::default());
        assert_eq!(i.closure_rate, None);
        assert_eq!(i.satisfaction_rate, None);
    }

    #[test]
    fn fairly_satisfied_can_be_weighted() {
        let c = Counts {
            satisfied: 6,
            fairly_satisfied: 2,
            dissatisfied: 2,
            ..Counts::default()
        };
        assert_eq!(
            pct(Indicators::compute(&c, SatisfactionWeights::default()).satisfaction_rate),
            "80.00"
        );
        assert_eq!(
            pct(Indicators::compute(&c, SatisfactionWeights { fairly: 0.8 }).satisfaction_rate),
            "76.00"
        );
    }
}
