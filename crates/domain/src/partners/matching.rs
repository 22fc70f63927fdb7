//! 需求与资源对接: for an open need, the units and resources worth asking
//! first — each suggestion says why, and staff confirm. A resource of the
//! need's category counts most; words shared between the need and the
//! resource, a unit reported in to the need's community and the projects
//! a unit already did of that category add to it. Only units that reported
//! in to the need's community are candidates; one whose report still waits
//! is shown below those accepted, and says so.

use std::collections::BTreeSet;

/// The need being matched.
#[derive(Debug, Clone)]
pub struct NeedFacts<'a> {
    pub category: &'a str,
    pub title: &'a str,
    pub body: &'a str,
}

/// A resource on offer.
#[derive(Debug, Clone)]
pub struct ResourceFacts<'a> {
    pub id: i64,
    pub unit_id: i64,
    pub category: &'a str,
    pub title: &'a str,
    pub detail: &'a str,
    /// the unit is accepted in the need's community (else its report waits)
    pub reported_in: bool,
    /// the unit's finished or running projects of the need's category
    pub past_projects: i64,
}

/// One suggestion, best first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    pub resource_id: i64,
    pub unit_id: i64,
    pub score: i64,
    pub reasons: Vec<String>,
}

/// At most this many suggestions are shown.
pub const SHOWN: usize = 5;

/// The two-character pieces of the Chinese in `s` (义诊, 助老, 车位 …).
fn pairs(s: &str) -> BTreeSet<String> {
    let cs: Vec<char> = s
        .chars()
        .filter(|c| !c.is_ascii() && c.is_alphabetic())
        .collect();
    cs.windows(2).map(|w| w.iter().collect()).collect()
}

/// Ranks `resources` for `need`; a resource that shares neither the
/// category nor a word is not suggested.
pub fn suggest(need: &NeedFacts<'_>, resources: &[ResourceFacts<'_>]) -> Vec<Suggestion> {
    let wanted: BTreeSet<String> = pairs(need.title)
        .union(&pairs(need.body))
        .cloned()
        .collect();
    let mut out: Vec<Suggestion> = resources
        .iter()
        .filter_map(|r| {
            let mut score = 0;
            let mut reasons = Vec::new();
            if r.category == need.category {
                score += 10;
                reasons.push(format!("提供同类资源({})", r.category));
            }
            let offered: BTreeSet<String> =
                pairs(r.title).union(&pairs(r.detail)).cloned().collect();
            let shared: Vec<&String> = wanted.intersection(&offered).take(3).collect();
            if !shared.is_empty() {
                score += 2 * shared.len() as i64;
                let words: Vec<&str> = shared.iter().map(|s| s.as_str()).collect();
                reasons.push(format!("内容相符:{}", words.join("、")));
            }
            if score == 0 {
                return None;
            }
            if r.reported_in {
                score += 5;
                reasons.push("已在本社区报到".to_owned());
            } else {
                reasons.push("报到待社区确认".to_owned());
            }
            if r.past_projects > 0 {
                score += 3 * r.past_projects.min(3);
                reasons.push(format!("做过 {} 个同类项目", r.past_projects));
            }
            Some(Suggestion {
                resource_id: r.id,
                unit_id: r.unit_id,
                score,
                reasons,
            })
        })
        .collect();
    out.sort_by(|a, b| {
        b.score
            .cmp(&a.score)
            .then(a.resource_id.cmp(&b.resource_id))
    });
    out.truncate(SHOWN);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn res<'a>(id: i64, category: &'a str, title: &'a str, reported_in: bool) -> ResourceFacts<'a> {
        ResourceFacts {
            id,
            unit_id: id * 10,
            category,
            title,
            detail: "",
            reported_in,
            past_projects: 0,
        }
    }

    #[test]
    fn the_category_and_shared_words_rank_first_with_reasons() {
        let need = NeedFacts {
            category: "医疗健康",
            title: "独居老人需要上门义诊",
            body: "每月一次量血压",
        };
        let rs = [
            res(1, "医疗健康", "每月社区义诊", true),
            res(2, "停车交通", "错时共享车位", true),
            res(3, "医疗健康", "健康讲座", false),
            res(4, "教育文化", "义诊志愿者培训", false),
        ];
        let s = suggest(&need, &rs);
        let ids: Vec<i64> = s.iter().map(|x| x.resource_id).collect();
        assert_eq!(ids, vec![1, 3, 4], "parking is not suggested for a clinic");
        assert!(s[0].reasons.iter().any(|r| r.contains("义诊")));
        assert!(s[0].reasons.iter().any(|r| r == "已在本社区报到"));
        assert!(s[1].reasons.iter().any(|r| r == "报到待社区确认"));
    }

    #[test]
    fn past_projects_lift_a_unit() {
        let need = NeedFacts {
            category: "停车交通",
            title: "晚上停车难",
            body: "",
        };
        let mut a = res(1, "停车交通", "夜间开放停车场", true);
        let b = res(2, "停车交通", "夜间开放停车场", true);
        a.past_projects = 2;
        let s = suggest(&need, &[b, a]);
        assert_eq!(s[0].resource_id, 1);
        assert!(s[0].reasons.iter().any(|r| r == "做过 2 个同类项目"));
    }
}
