//! Point → grid with 100,000 grid polygons loaded (target: median < 5 µs).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use criterion::{Criterion, criterion_group, criterion_main};
use geo::{LineString, MultiPolygon, Polygon};
use linli_domain::geo::LngLat;
use linli_domain::territory::grid_index::GridIndex;
use std::hint::black_box;

/// 100,000 octagonal grids tiling a 316 × 317 block around 长春 (≈ 110 m cells).
fn grids() -> Vec<(i64, MultiPolygon<f64>)> {
    let d = 0.001;
    let mut out = Vec::with_capacity(100_000);
    for i in 0..317 {
        for j in 0..316 {
            if out.len() == 100_000 {
                return out;
            }
            let (x, y) = (125.0 + d * f64::from(i), 43.5 + d * f64::from(j));
            let c = d * 0.3;
            let ring = LineString::from(vec![
                (x + c, y),
                (x + d - c, y),
                (x + d, y + c),
                (x + d, y + d - c),
                (x + d - c, y + d),
                (x + c, y + d),
                (x, y + d - c),
                (x, y + c),
                (x + c, y),
            ]);
            out.push((
                out.len() as i64 + 1,
                MultiPolygon::new(vec![Polygon::new(ring, vec![])]),
            ));
        }
    }
    out
}

fn bench(c: &mut Criterion) {
    let index = GridIndex::new(grids());
    assert_eq!(index.len(), 100_000);
    // a fixed pseudo-random walk over the block (no rand dependency needed)
    let mut s: u64 = 0x9E37_79B9_7F4A_7C15;
    let points: Vec<LngLat> = (0..4096)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            let fx = (s % 1_000_000) as f64 / 1_000_000.0;
            let fy = ((s / 1_000_000) % 1_000_000) as f64 / 1_000_000.0;
            LngLat {
                lng: 125.0 + 0.317 * fx,
                lat: 43.5 + 0.316 * fy,
            }
        })
        .collect();
    let found = points
        .iter()
        .filter(|p| index.locate(**p).is_some())
        .count();
    assert!(found > 3000, "most points fall inside an octagon: {found}");
    let mut k = 0;
    c.bench_function("point_to_grid_100k", |b| {
        b.iter(|| {
            k = (k + 1) % points.len();
            black_box(index.locate(black_box(points[k])))
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
