//! 网格定位 — grid boundaries and the point → grid index.
//!
//! Boundaries arrive as GeoJSON (WGS-84). [`parse_boundary`] refuses what
//! cannot be a grid: open rings, too few points, out-of-range or swapped
//! coordinates, self-intersections. [`GridIndex`] finds the grid holding a
//! point: an R-tree over the polygons' bounding boxes narrows the search,
//! then an exact point-in-polygon test decides.

use crate::geo::{GeoError, LngLat, distance_m};
use geo::{BoundingRect, Closest, ClosestPoint, Intersects, MultiPolygon, Point, Validation};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ShapeError {
    #[error("不是有效的 GeoJSON: {0}")]
    NotGeoJson(String),
    #[error("边界须为 Polygon 或 MultiPolygon(可放在 Feature 中)")]
    NotPolygon,
    #[error("边界的第 {ring} 个环没有闭合(首尾坐标须相同)")]
    OpenRing { ring: usize },
    #[error("边界的第 {ring} 个环少于 4 个点")]
    TooFewPoints { ring: usize },
    #[error("{0}")]
    Coordinate(#[from] GeoError),
    #[error("边界自相交或无效: {0}")]
    Invalid(String),
}

/// Parses a grid boundary from GeoJSON text (a Polygon or MultiPolygon
/// geometry, or a Feature holding one).
pub fn parse_boundary(text: &str) -> Result<MultiPolygon<f64>, ShapeError> {
    let gj: geojson::GeoJson = text
        .parse()
        .map_err(|e: geojson::Error| ShapeError::NotGeoJson(e.to_string()))?;
    let geometry = match gj {
        geojson::GeoJson::Geometry(g) => g,
        geojson::GeoJson::Feature(f) => f.geometry.ok_or(ShapeError::NotPolygon)?,
        geojson::GeoJson::FeatureCollection(_) => return Err(ShapeError::NotPolygon),
    };
    let polygons: Vec<&geojson::PolygonType> = match &geometry.value {
        geojson::GeometryValue::Polygon { coordinates } => vec![coordinates],
        geojson::GeometryValue::MultiPolygon { coordinates } => coordinates.iter().collect(),
        _ => return Err(ShapeError::NotPolygon),
    };
    let mut ring_no = 0;
    for rings in &polygons {
        for ring in rings.iter() {
            ring_no += 1;
            if ring.len() < 4 {
                return Err(ShapeError::TooFewPoints { ring: ring_no });
            }
            if ring.first() != ring.last() {
                return Err(ShapeError::OpenRing { ring: ring_no });
            }
            for pos in ring {
                let (Some(lng), Some(lat)) = (pos.as_slice().first(), pos.as_slice().get(1)) else {
                    return Err(ShapeError::NotGeoJson("坐标须为 [经度, 纬度]".to_owned()));
                };
                LngLat::parse(*lng, *lat)?;
            }
        }
    }
    let bad = |e: geojson::Error| ShapeError::NotGeoJson(e.to_string());
    let mp: MultiPolygon<f64> = match &geometry.value {
        geojson::GeometryValue::Polygon { .. } => {
            MultiPolygon::new(vec![geo::Polygon::try_from(&geometry.value).map_err(bad)?])
        }
        _ => MultiPolygon::try_from(&geometry.value).map_err(bad)?,
    };
    if let Err(e) = mp.check_validation() {
        return Err(ShapeError::Invalid(e.to_string()));
    }
    Ok(mp)
}

/// A boundary as GeoJSON geometry text (the canonical stored form).
pub fn boundary_geojson(mp: &MultiPolygon<f64>) -> String {
    geojson::Geometry::from(mp).to_string()
}

/// The boundary's bounding box centre, for labels and map views.
pub fn centre(mp: &MultiPolygon<f64>) -> Option<LngLat> {
    let r = mp.bounding_rect()?;
    let c = r.center();
    Some(LngLat { lng: c.x, lat: c.y })
}

type Entry = GeomWithData<Rectangle<[f64; 2]>, usize>;

/// The point → grid index over leaf grids.
pub struct GridIndex {
    tree: RTree<Entry>,
    grids: Vec<(i64, MultiPolygon<f64>)>,
}

impl GridIndex {
    /// Builds the index (bulk-loaded) over `(grid id, boundary)` pairs.
    pub fn new(grids: Vec<(i64, MultiPolygon<f64>)>) -> GridIndex {
        let entries = grids
            .iter()
            .enumerate()
            .filter_map(|(i, (_, shape))| {
                let r = shape.bounding_rect()?;
                Some(GeomWithData::new(
                    Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]),
                    i,
                ))
            })
            .collect();
        GridIndex {
            tree: RTree::bulk_load(entries),
            grids,
        }
    }

    pub fn len(&self) -> usize {
        self.grids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.grids.is_empty()
    }

    /// Every grid whose boundary holds `p` (edges included), lowest id first.
    pub fn locate_all(&self, p: LngLat) -> Vec<i64> {
        let point = Point::new(p.lng, p.lat);
        let mut hits: Vec<i64> = self
            .tree
            .locate_all_at_point(&[p.lng, p.lat])
            .filter_map(|e| self.grids.get(e.data))
            .filter(|(_, shape)| shape.intersects(&point))
            .map(|(id, _)| *id)
            .collect();
        hits.sort_unstable();
        hits
    }

    /// The grid nearest to `p` within `max_m` metres (its edge, or 0 when
    /// it holds the point) and that distance; on a tie the lowest id.
    pub fn nearest(&self, p: LngLat, max_m: f64) -> Option<(i64, f64)> {
        // a box around p at least max_m wide: 111 km to a degree of
        // latitude, fewer metres to one of longitude away from the equator
        let dlat = max_m / 111_000.0;
        let dlng = max_m / (111_000.0 * p.lat.to_radians().cos().max(0.01));
        let near = AABB::from_corners([p.lng - dlng, p.lat - dlat], [p.lng + dlng, p.lat + dlat]);
        let point = Point::new(p.lng, p.lat);
        self.tree
            .locate_in_envelope_intersecting(&near)
            .filter_map(|e| self.grids.get(e.data))
            .filter_map(|(id, shape)| match shape.closest_point(&point) {
                Closest::Intersection(q) | Closest::SinglePoint(q) => Some((
                    *id,
                    distance_m(
                        p,
                        LngLat {
                            lng: q.x(),
                            lat: q.y(),
                        },
                    ),
                )),
                Closest::Indeterminate => None,
            })
            .filter(|(_, d)| *d <= max_m)
            .min_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)))
    }

    /// The grid holding `p`; on a shared edge, the one with the lowest id,
    /// so the answer never depends on load order.
    pub fn locate(&self, p: LngLat) -> Option<i64> {
        let point = Point::new(p.lng, p.lat);
        self.tree
            .locate_all_at_point(&[p.lng, p.lat])
            .filter_map(|e| self.grids.get(e.data))
            .filter(|(_, shape)| shape.intersects(&point))
            .map(|(id, _)| *id)
            .min()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nearest_grid_within_reach() {
        // two 0.01° squares side by side near 43.9° N (≈ 800 m × 1.1 km)
        let a = parse_boundary(&square(125.30, 43.90, 0.01)).unwrap();
        let b = parse_boundary(&square(125.32, 43.90, 0.01)).unwrap();
        let index = GridIndex::new(vec![(1, a), (2, b)]);
        let inside = LngLat {
            lng: 125.305,
            lat: 43.905,
        };
        assert_eq!(index.nearest(inside, 3000.0), Some((1, 0.0)));
        // 0.002° east of grid 1's edge: ≈ 160 m; grid 2 is ≈ 640 m away
        let between = LngLat {
            lng: 125.312,
            lat: 43.905,
        };
        let (id, d) = index.nearest(between, 3000.0).unwrap();
        assert_eq!(id, 1);
        assert!((150.0..175.0).contains(&d), "{d}");
        assert_eq!(index.nearest(between, 100.0), None);
        let far = LngLat {
            lng: 125.50,
            lat: 43.905,
        };
        assert_eq!(index.nearest(far, 3000.0), None);
    }

    fn square(x: f64, y: f64, d: f64) -> String {
        format!(
            r#"{{"type":"Polygon","coordinates":[[[{x},{y}],[{},{y}],[{},{}],[{x},{}],[{x},{y}]]]}}"#,
            x + d,
            x + d,
            y + d,
            y + d
        )
    }

    #[test]
    fn boundaries_are_checked() {
        assert!(parse_boundary(&square(125.33, 43.92, 0.001)).is_ok());
        let feature = format!(
            r#"{{"type":"Feature","properties":{{}},"geometry":{}}}"#,
            square(125.0, 43.0, 0.01)
        );
        assert!(parse_boundary(&feature).is_ok());
        let open =
            r#"{"type":"Polygon","coordinates":[[[125,43],[125.1,43],[125.1,43.1],[125,43.1]]]}"#;
        assert_eq!(parse_boundary(open), Err(ShapeError::OpenRing { ring: 1 }));
        let few = r#"{"type":"Polygon","coordinates":[[[125,43],[125.1,43],[125,43]]]}"#;
        assert_eq!(
            parse_boundary(few),
            Err(ShapeError::TooFewPoints { ring: 1 })
        );
        let bowtie = r#"{"type":"Polygon","coordinates":[[[125,43],[125.1,43.1],[125.1,43],[125,43.1],[125,43]]]}"#;
        assert!(matches!(
            parse_boundary(bowtie),
            Err(ShapeError::Invalid(_))
        ));
        let swapped =
            r#"{"type":"Polygon","coordinates":[[[43,125],[43,125.1],[43.1,125.1],[43,125]]]}"#;
        assert_eq!(
            parse_boundary(swapped),
            Err(ShapeError::Coordinate(GeoError::Swapped))
        );
        let far = r#"{"type":"Polygon","coordinates":[[[500,43],[501,43],[501,44],[500,43]]]}"#;
        assert_eq!(
            parse_boundary(far),
            Err(ShapeError::Coordinate(GeoError::OutOfRange))
        );
        assert_eq!(
            parse_boundary(r#"{"type":"Point","coordinates":[125,43]}"#),
            Err(ShapeError::NotPolygon)
        );
        assert!(matches!(
            parse_boundary("{not json"),
            Err(ShapeError::NotGeoJson(_))
        ));
    }

    #[test]
    fn points_land_in_the_right_grid() {
        // a 3 × 3 tiling of 0.01° squares
        let mut grids = Vec::new();
        for i in 0..3 {
            for j in 0..3 {
                let id = i * 3 + j + 1;
                let shape = parse_boundary(&square(
                    125.0 + 0.01 * i as f64,
                    43.0 + 0.01 * j as f64,
                    0.01,
                ))
                .unwrap();
                grids.push((id, shape));
            }
        }
        let idx = GridIndex::new(grids);
        assert_eq!(idx.len(), 9);
        assert_eq!(
            idx.locate(LngLat {
                lng: 125.005,
                lat: 43.005
            }),
            Some(1)
        );
        assert_eq!(
            idx.locate(LngLat {
                lng: 125.025,
                lat: 43.015
            }),
            Some(8)
        );
        assert_eq!(
            idx.locate(LngLat {
                lng: 125.5,
                lat: 43.5
            }),
            None
        );
        // on the shared edge of grids 1 and 2: both hold it, the lower id wins
        let edge = LngLat {
            lng: 125.005,
            lat: 43.01,
        };
        assert_eq!(idx.locate_all(edge), vec![1, 2]);
        assert_eq!(idx.locate(edge), Some(1));
    }

    #[test]
    fn a_hole_is_not_inside() {
        let donut = r#"{"type":"Polygon","coordinates":[
            [[125,43],[125.1,43],[125.1,43.1],[125,43.1],[125,43]],
            [[125.04,43.04],[125.06,43.04],[125.06,43.06],[125.04,43.06],[125.04,43.04]]]}"#;
        let idx = GridIndex::new(vec![(7, parse_boundary(donut).unwrap())]);
        assert_eq!(
            idx.locate(LngLat {
                lng: 125.01,
                lat: 43.01
            }),
            Some(7)
        );
        assert_eq!(
            idx.locate(LngLat {
                lng: 125.05,
                lat: 43.05
            }),
            None
        );
    }
}
