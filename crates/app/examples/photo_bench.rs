//! What a photo costs at intake: `photo_bench [ROUNDS]` re-encodes a
//! 4000×3000 JPEG (a 12-megapixel phone photo) the way intake does —
//! sniff, decode under limits, turn upright, scale to 2048 px, encode —
//! and prints the time per photo and the sizes before and after.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use image::{DynamicImage, ImageFormat, RgbImage};
use linli_app::cases::photos::reencode;
use std::time::Instant;

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    // gradients with fine texture, so the JPEG is phone-photo sized (a few MB)
    let img = RgbImage::from_fn(4000, 3000, |x, y| {
        let grain = (x.wrapping_mul(7919) ^ y.wrapping_mul(104_729)) % 24;
        image::Rgb([
            ((x / 16 + grain) % 256) as u8,
            ((y / 12 + grain) % 256) as u8,
            (((x + y) / 28 + grain) % 256) as u8,
        ])
    });
    let mut jpeg = Vec::new();
    DynamicImage::ImageRgb8(img)
        .write_to(&mut std::io::Cursor::new(&mut jpeg), ImageFormat::Jpeg)
        .unwrap();
    let mut times = Vec::with_capacity(rounds);
    let mut out = (Vec::new(), 0, 0);
    for _ in 0..rounds {
        let t = Instant::now();
        out = reencode(&jpeg).unwrap();
        times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    println!(
        "4000x3000 JPEG of {:.1} MiB -> {}x{} JPEG of {:.2} MiB; {} rounds: p50 {:.0} ms, max {:.0} ms (one core)",
        jpeg.len() as f64 / 1048576.0,
        out.1,
        out.2,
        out.0.len() as f64 / 1048576.0,
        rounds,
        times[rounds / 2],
        times[rounds - 1]
    );
}
