//! 坐标 — coordinates and the Chinese datum shifts.
//!
//! Everything is stored as WGS-84. Phones in China report GCJ-02 (WeChat,
//! 高德, 腾讯) or BD-09 (百度); [`to_wgs84`] brings them back. GCJ-02 is
//! defined only as the forward transform from WGS-84, so the way back is
//! solved by fixed-point iteration to well under a centimetre.

use std::f64::consts::PI;
use std::fmt;
use std::str::FromStr;

/// 坐标系 — the datum a coordinate arrived in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CoordSys {
    Wgs84,
    /// 国测局坐标 (火星坐标)
    Gcj02,
    /// 百度坐标
    Bd09,
}

impl FromStr for CoordSys {
    type Err = GeoError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "wgs84" | "wgs-84" | "" => Ok(CoordSys::Wgs84),
            "gcj02" | "gcj-02" => Ok(CoordSys::Gcj02),
            "bd09" | "bd-09" => Ok(CoordSys::Bd09),
            _ => Err(GeoError::UnknownCoordSys(s.to_owned())),
        }
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GeoError {
    #[error("未知坐标系 `{0}`,可选 wgs84、gcj02、bd09")]
    UnknownCoordSys(String),
    #[error("坐标超出范围:经度须在 -180 到 180 之间,纬度须在 -90 到 90 之间")]
    OutOfRange,
    #[error("经纬度似乎填反了:经度在前、纬度在后(例如 125.33, 43.92)")]
    Swapped,
}

/// A longitude/latitude pair in degrees.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LngLat {
    pub lng: f64,
    pub lat: f64,
}

impl fmt::Display for LngLat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.6},{:.6}", self.lng, self.lat)
    }
}

impl LngLat {
    /// A coordinate as given by a person or a device: finite and in range.
    /// When it is out of range but would lie in China with the two numbers
    /// exchanged, the error says they look swapped.
    pub fn parse(lng: f64, lat: f64) -> Result<LngLat, GeoError> {
        let in_range = |lng: f64, lat: f64| {
            lng.is_finite()
                && lat.is_finite()
                && (-180.0..=180.0).contains(&lng)
                && (-90.0..=90.0).contains(&lat)
        };
        if !in_range(lng, lat) {
            if in_range(lat, lng) && in_china(LngLat { lng: lat, lat: lng }) {
                return Err(GeoError::Swapped);
            }
            return Err(GeoError::OutOfRange);
        }
        // in range both ways round, but only the swapped one is in China
        if !in_china(LngLat { lng, lat }) && in_china(LngLat { lng: lat, lat: lng }) {
            return Err(GeoError::Swapped);
        }
        Ok(LngLat { lng, lat })
    }
}

/// The rough box outside which GCJ-02 applies no shift.
pub fn in_china(p: LngLat) -> bool {
    (72.004..=137.8347).contains(&p.lng) && (0.8293..=55.8271).contains(&p.lat)
}

// Krasovsky 1940 ellipsoid, as the GCJ-02 definition uses.
const A: f64 = 6_378_245.0;
const EE: f64 = 0.006_693_421_622_965_943;
const X_PI: f64 = PI * 3000.0 / 180.0;

fn shift_lat(x: f64, y: f64) -> f64 {
    let mut r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * x.abs().sqrt();
    r += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    r += (20.0 * (y * PI).sin() + 40.0 * (y / 3.0 * PI).sin()) * 2.0 / 3.0;
    r += (160.0 * (y / 12.0 * PI).sin() + 320.0 * (y * PI / 30.0).sin()) * 2.0 / 3.0;
    r
}

fn shift_lng(x: f64, y: f64) -> f64 {
    let mut r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * x.abs().sqrt();
    r += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    r += (20.0 * (x * PI).sin() + 40.0 * (x / 3.0 * PI).sin()) * 2.0 / 3.0;
    r += (150.0 * (x / 12.0 * PI).sin() + 300.0 * (x / 30.0 * PI).sin()) * 2.0 / 3.0;
    r
}

/// WGS-84 → GCJ-02 (the defining transform).
pub fn wgs84_to_gcj02(p: LngLat) -> LngLat {
    if !in_china(p) {
        return p;
    }
    let dlat = shift_lat(p.lng - 105.0, p.lat - 35.0);
    let dlng = shift_lng(p.lng - 105.0, p.lat - 35.0);
    let rad = p.lat / 180.0 * PI;
    let magic = 1.0 - EE * rad.sin() * rad.sin();
    let sqrt_magic = magic.sqrt();
    let dlat = dlat * 180.0 / ((A * (1.0 - EE)) / (magic * sqrt_magic) * PI);
    let dlng = dlng * 180.0 / (A / sqrt_magic * rad.cos() * PI);
    LngLat {
        lng: p.lng + dlng,
        lat: p.lat + dlat,
    }
}

/// GCJ-02 → WGS-84, solving `wgs84_to_gcj02(w) = p` by iteration.
pub fn gcj02_to_wgs84(p: LngLat) -> LngLat {
    if !in_china(p) {
        return p;
    }
    let mut w = p;
    for _ in 0..30 {
        let g = wgs84_to_gcj02(w);
        let (dx, dy) = (g.lng - p.lng, g.lat - p.lat);
        w = LngLat {
            lng: w.lng - dx,
            lat: w.lat - dy,
        };
        if dx.abs() < 1e-10 && dy.abs() < 1e-10 {
            break;
        }
    }
    w
}

/// GCJ-02 → BD-09.
pub fn gcj02_to_bd09(p: LngLat) -> LngLat {
    let z = (p.lng * p.lng + p.lat * p.lat).sqrt() + 0.000_02 * (p.lat * X_PI).sin();
    let theta = p.lat.atan2(p.lng) + 0.000_003 * (p.lng * X_PI).cos();
    LngLat {
        lng: z * theta.cos() + 0.0065,
        lat: z * theta.sin() + 0.006,
    }
}

/// BD-09 → GCJ-02: the usual closed form (about 0.1 m off the exact
/// inverse), refined by iteration until `gcj02_to_bd09` gives `p` back.
pub fn bd09_to_gcj02(p: LngLat) -> LngLat {
    let (x, y) = (p.lng - 0.0065, p.lat - 0.006);
    let z = (x * x + y * y).sqrt() - 0.000_02 * (y * X_PI).sin();
    let theta = y.atan2(x) - 0.000_003 * (x * X_PI).cos();
    let mut g = LngLat {
        lng: z * theta.cos(),
        lat: z * theta.sin(),
    };
    for _ in 0..10 {
        let b = gcj02_to_bd09(g);
        let (dx, dy) = (b.lng - p.lng, b.lat - p.lat);
        g = LngLat {
            lng: g.lng - dx,
            lat: g.lat - dy,
        };
        if dx.abs() < 1e-12 && dy.abs() < 1e-12 {
            break;
        }
    }
    g
}

/// Any supported datum → WGS-84.
pub fn to_wgs84(p: LngLat, sys: CoordSys) -> LngLat {
    match sys {
        CoordSys::Wgs84 => p,
        CoordSys::Gcj02 => gcj02_to_wgs84(p),
        CoordSys::Bd09 => gcj02_to_wgs84(bd09_to_gcj02(p)),
    }
}

/// Great-circle distance in metres (for "within 100 m" checks).
pub fn distance_m(a: LngLat, b: LngLat) -> f64 {
    const R: f64 = 6_371_008.8;
    let (la1, la2) = (a.lat.to_radians(), b.lat.to_radians());
    let dlat = la2 - la1;
    let dlng = (b.lng - a.lng).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + la1.cos() * la2.cos() * (dlng / 2.0).sin().powi(2);
    2.0 * R * h.sqrt().asin()
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: LngLat = LngLat {
        lng: 116.404,
        lat: 39.915,
    };

    fn close(a: LngLat, lng: f64, lat: f64) -> f64 {
        distance_m(a, LngLat { lng, lat })
    }

    // Reference values published with the widely used coordtransform
    // library (wandergis/coordtransform, test/app.js).
    #[test]
    fn matches_published_reference_conversions() {
        assert!(
            close(
                wgs84_to_gcj02(P),
                116.410_244_499_169_38,
                39.916_404_281_501_64
            ) < 0.01
        );
        assert!(
            close(
                gcj02_to_bd09(P),
                116.410_369_493_710_29,
                39.921_336_993_510_21
            ) < 0.01
        );
        // the reference uses the closed-form reverse; ours is the exact inverse, 0.1 m apart
        assert!(
            close(
                bd09_to_gcj02(P),
                116.397_627_291_193_15,
                39.908_656_739_576_31
            ) < 0.5
        );
        // the reference's one-step inverse is itself ~1 m off; we are within 2 m of it
        assert!(
            close(
                gcj02_to_wgs84(P),
                116.397_755_500_830_61,
                39.913_595_718_498_36
            ) < 2.0
        );
    }

    #[test]
    fn the_iterative_inverse_round_trips_to_millimetres() {
        for (lng, lat) in [
            (125.33, 43.92),
            (116.404, 39.915),
            (121.47, 31.23),
            (91.1, 29.65),
            (113.26, 23.13),
        ] {
            let w = LngLat { lng, lat };
            let back = gcj02_to_wgs84(wgs84_to_gcj02(w));
            assert!(distance_m(w, back) < 0.001, "{w}: {back}");
            let via_bd = to_wgs84(gcj02_to_bd09(wgs84_to_gcj02(w)), CoordSys::Bd09);
            assert!(distance_m(w, via_bd) < 0.01, "{w}: {via_bd}");
        }
    }

    #[test]
    fn outside_china_nothing_shifts() {
        let paris = LngLat {
            lng: 2.35,
            lat: 48.85,
        };
        assert_eq!(wgs84_to_gcj02(paris), paris);
        assert_eq!(to_wgs84(paris, CoordSys::Gcj02), paris);
    }

    #[test]
    fn bad_and_swapped_coordinates_are_named() {
        assert_eq!(
            LngLat::parse(125.33, 43.92),
            Ok(LngLat {
                lng: 125.33,
                lat: 43.92
            })
        );
        assert_eq!(LngLat::parse(43.92, 125.33), Err(GeoError::Swapped));
        assert_eq!(LngLat::parse(39.9, 116.4), Err(GeoError::Swapped));
        assert_eq!(LngLat::parse(200.0, 10.0), Err(GeoError::OutOfRange));
        assert_eq!(LngLat::parse(f64::NAN, 10.0), Err(GeoError::OutOfRange));
        assert_eq!(
            LngLat::parse(2.35, 48.85),
            Ok(LngLat {
                lng: 2.35,
                lat: 48.85
            })
        );
        assert_eq!("GCJ02".parse::<CoordSys>(), Ok(CoordSys::Gcj02));
        assert!("utm".parse::<CoordSys>().is_err());
    }
}
