//! 网格校验 — a community's grids checked against the seeds' rule:
//! "边界清晰,不留空白区域,不交叉重叠,确保住户全覆盖".
//!
//! Reports overlaps between sibling grids (with the overlapping area),
//! the part of the community not covered by its top-level grids (when the
//! community has a boundary), and every building or dwelling that is not
//! inside exactly one leaf grid.

use crate::geo::LngLat;
use crate::territory::grid_index::GridIndex;
use geo::{BooleanOps, BoundingRect, ChamberlainDuquetteArea, Intersects, MultiPolygon};
use std::collections::{BTreeMap, BTreeSet};

/// Areas below this (m²) are rounding noise along shared edges.
pub const AREA_TOLERANCE_M2: f64 = 1.0;

/// A grid as the check needs it.
#[derive(Debug, Clone)]
pub struct GridShape {
    pub id: i64,
    pub name: String,
    /// The parent grid; `None` for a top-level (一级) grid of the community.
    pub parent: Option<i64>,
    pub shape: MultiPolygon<f64>,
}

/// A building or dwelling with a location.
#[derive(Debug, Clone)]
pub struct Placed {
    pub id: i64,
    pub label: String,
    pub at: LngLat,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Overlap {
    pub a: i64,
    pub b: i64,
    pub area_m2: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Misplaced {
    /// In no leaf grid.
    Uncovered { id: i64, label: String },
    /// In several leaf grids (on a shared edge, or where grids overlap).
    Ambiguous {
        id: i64,
        label: String,
        grids: Vec<i64>,
    },
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct CoverageReport {
    pub overlaps: Vec<Overlap>,
    /// Uncovered community area in m² (None when the community has no boundary).
    pub gap_m2: Option<f64>,
    pub misplaced: Vec<Misplaced>,
}

impl CoverageReport {
    pub fn is_clean(&self) -> bool {
        self.overlaps.is_empty()
            && self.gap_m2.is_none_or(|g| g < AREA_TOLERANCE_M2)
            && self.misplaced.is_empty()
    }
}

fn area_m2(mp: &MultiPolygon<f64>) -> f64 {
    mp.chamberlain_duquette_unsigned_area()
}

fn boxes_meet(a: &MultiPolygon<f64>, b: &MultiPolygon<f64>) -> bool {
    match (a.bounding_rect(), b.bounding_rect()) {
        (Some(x), Some(y)) => x.intersects(&y),
        _ => false,
    }
}

/// Checks a community's grids (all levels) and placed buildings/dwellings.
pub fn check(
    community: Option<&MultiPolygon<f64>>,
    grids: &[GridShape],
    places: &[Placed],
) -> CoverageReport {
    let mut report = CoverageReport::default();

    // overlaps between siblings
    let mut siblings: BTreeMap<Option<i64>, Vec<&GridShape>> = BTreeMap::new();
    for g in grids {
        siblings.entry(g.parent).or_default().push(g);
    }
    for group in siblings.values() {
        for (i, a) in group.iter().enumerate() {
            for b in &group[i + 1..] {
                if !boxes_meet(&a.shape, &b.shape) {
                    continue;
                }
                let area = area_m2(&a.shape.intersection(&b.shape));
                if area >= AREA_TOLERANCE_M2 {
                    let (a, b) = if a.id < b.id {
                        (a.id, b.id)
                    } else {
                        (b.id, a.id)
                    };
                    report.overlaps.push(Overlap {
                        a,
                        b,
                        area_m2: area,
                    });
                }
            }
        }
    }
    report.overlaps.sort_by_key(|o| (o.a, o.b));

    // the community's area left outside its top-level grids
    if let Some(boundary) = community {
        let top: Vec<&MultiPolygon<f64>> = grids
            .iter()
            .filter(|g| g.parent.is_none())
            .map(|g| &g.shape)
            .collect();
        let covered = geo::unary_union(top);
        report.gap_m2 = Some(area_m2(&boundary.difference(&covered)));
    }

    // buildings and dwellings in exactly one leaf grid
    let parents: BTreeSet<i64> = grids.iter().filter_map(|g| g.parent).collect();
    let leaves = grids
        .iter()
        .filter(|g| !parents.contains(&g.id))
        .map(|g| (g.id, g.shape.clone()))
        .collect();
    let index = GridIndex::new(leaves);
    for p in places {
        let hits = index.locate_all(p.at);
        match hits.len() {
            1 => {}
            0 => report.misplaced.push(Misplaced::Uncovered {
                id: p.id,
                label: p.label.clone(),
            }),
            _ => report.misplaced.push(Misplaced::Ambiguous {
                id: p.id,
                label: p.label.clone(),
                grids: hits,
            }),
        }
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{LineString, Polygon};

    fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> MultiPolygon<f64> {
        let ring = LineString::from(vec![(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]);
        MultiPolygon::new(vec![Polygon::new(ring, vec![])])
    }

    fn grid(id: i64, parent: Option<i64>, shape: MultiPolygon<f64>) -> GridShape {
        GridShape {
            id,
            name: format!("第{id}网格"),
            parent,
            shape,
        }
    }

    fn place(id: i64, lng: f64, lat: f64) -> Placed {
        Placed {
            id,
            label: format!("{id}号楼"),
            at: LngLat { lng, lat },
        }
    }

    /// A community 0.02° × 0.01° split into two top-level grids, the
    /// first split again into two second-level grids.
    fn tiled() -> (MultiPolygon<f64>, Vec<GridShape>) {
        let community = rect(125.0, 43.0, 125.02, 43.01);
        let grids = vec![
            grid(1, None, rect(125.0, 43.0, 125.01, 43.01)),
            grid(2, None, rect(125.01, 43.0, 125.02, 43.01)),
            grid(11, Some(1), rect(125.0, 43.0, 125.01, 43.005)),
            grid(12, Some(1), rect(125.0, 43.005, 125.01, 43.01)),
        ];
        (community, grids)
    }

    #[test]
    fn a_clean_tiling_is_clean() {
        let (community, grids) = tiled();
        let places = vec![
            place(1, 125.002, 43.002),
            place(2, 125.002, 43.008),
            place(3, 125.015, 43.005),
        ];
        let r = check(Some(&community), &grids, &places);
        assert!(r.is_clean(), "{r:?}");
        assert!(r.gap_m2.unwrap() < AREA_TOLERANCE_M2);
    }

    #[test]
    fn a_planted_overlap_is_reported_with_its_area() {
        let (community, mut grids) = tiled();
        // grid 2 reaches 0.001° (≈ 80 m at 43°N) into grid 1
        grids[1].shape = rect(125.009, 43.0, 125.02, 43.01);
        let r = check(Some(&community), &grids, &[]);
        assert_eq!(r.overlaps.len(), 1);
        let o = &r.overlaps[0];
        assert_eq!((o.a, o.b), (1, 2));
        // 0.001° lng × 0.01° lat at 43°N ≈ 81 m × 1,113 m ≈ 90,000 m²
        assert!((80_000.0..100_000.0).contains(&o.area_m2), "{}", o.area_m2);
        assert!(!r.is_clean());
    }

    #[test]
    fn a_gap_and_an_uncovered_building_are_reported() {
        let (community, mut grids) = tiled();
        grids[1].shape = rect(125.012, 43.0, 125.02, 43.01); // leaves a strip uncovered
        let r = check(Some(&community), &grids, &[place(9, 125.011, 43.005)]);
        let gap = r.gap_m2.unwrap();
        assert!((150_000.0..200_000.0).contains(&gap), "{gap}");
        assert_eq!(
            r.misplaced,
            vec![Misplaced::Uncovered {
                id: 9,
                label: "9号楼".into()
            }]
        );
    }

    #[test]
    fn a_building_on_a_shared_edge_is_ambiguous_and_parents_do_not_count() {
        let (community, grids) = tiled();
        // on the edge between leaves 12 and 2; grid 1 is not a leaf
        let r = check(Some(&community), &grids, &[place(5, 125.01, 43.008)]);
        assert_eq!(
            r.misplaced,
            vec![Misplaced::Ambiguous {
                id: 5,
                label: "5号楼".into(),
                grids: vec![2, 12]
            }]
        );
    }

    #[test]
    fn no_boundary_no_gap_figure() {
        let (_, grids) = tiled();
        assert_eq!(check(None, &grids, &[]).gap_m2, None);
    }
}
