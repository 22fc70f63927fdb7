//! The static files the binary embeds, each served under a name that
//! carries a hash of its content (so browsers may keep it for a year):
//! the front-end libraries built from npm into web/dist by `web/build.mjs`
//! (`scripts/ensure-npm.sh` runs it), with their brotli copies, and our own
//! stylesheet and scripts in assets/. Say plainly how to get them when missing.
use std::collections::hash_map::DefaultHasher;
use std::fmt::Write as _;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";
const SVG: &str = "image/svg+xml";
const PNG: &str = "image/png";

/// (name pages use, file, content type, has a brotli copy)
const FILES: &[(&str, &str, &str, bool)] = &[
    ("htmx.js", "web/dist/htmx.js", JS, true),
    ("leaflet.js", "web/dist/leaflet.js", JS, true),
    ("leaflet.css", "web/dist/leaflet.css", CSS, true),
    ("echarts.js", "web/dist/echarts.js", JS, true),
    ("icons.svg", "web/dist/icons.svg", SVG, true),
    ("app.css", "crates/web/assets/app.css", CSS, false),
    ("map.js", "crates/web/assets/map.js", JS, false),
    (
        "places.js",
        "crates/web/assets/territory/places.js",
        JS,
        false,
    ),
    ("card.js", "crates/web/assets/registry/card.js", JS, false),
    ("cases.js", "crates/web/assets/cases/cases.js", JS, false),
    (
        "code.js",
        "crates/web/assets/volunteering/code.js",
        JS,
        false,
    ),
    (
        "inbox.js",
        "crates/web/assets/notifications/inbox.js",
        JS,
        false,
    ),
    (
        "dashboard.js",
        "crates/web/assets/cases/dashboard.js",
        JS,
        false,
    ),
    ("shell.js", "crates/web/assets/shell.js", JS, false),
    ("logo.svg", "crates/web/assets/logo.svg", SVG, false),
    (
        "icon-180.png",
        "crates/web/assets/icons/icon-180.png",
        PNG,
        false,
    ),
    (
        "icon-192.png",
        "crates/web/assets/icons/icon-192.png",
        PNG,
        false,
    ),
    (
        "icon-512.png",
        "crates/web/assets/icons/icon-512.png",
        PNG,
        false,
    ),
    (
        "manifest.webmanifest",
        "crates/web/assets/manifest.webmanifest",
        "application/manifest+json",
        false,
    ),
];

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
    let root = manifest.join("../..");
    let mut table = String::from("&[\n");
    for (name, file, ctype, br) in FILES {
        let path = root.join(file);
        println!("cargo:rerun-if-changed={}", path.display());
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(_) => {
                eprintln!(
                    "missing {}: run scripts/ensure-npm.sh first (or `make build`)",
                    path.display()
                );
                std::process::exit(1);
            }
        };
        let mut h = DefaultHasher::new();
        bytes.hash(&mut h);
        let (stem, ext) = name.rsplit_once('.').unwrap_or((name, ""));
        let url = format!("/static/{stem}.{:010x}.{ext}", h.finish() & 0xff_ffff_ffff);
        let brotli = if *br {
            let b = path.with_extension(format!("{ext}.br"));
            println!("cargo:rerun-if-changed={}", b.display());
            if !b.exists() {
                eprintln!("missing {}: run scripts/ensure-npm.sh", b.display());
                std::process::exit(1);
            }
            format!("Some(include_bytes!({:?}))", abs(&b))
        } else {
            "None".to_owned()
        };
        let _ = writeln!(
            table,
            "    Asset {{ name: {name:?}, url: {url:?}, content_type: {ctype:?}, body: include_bytes!({:?}), brotli: {brotli} }},",
            abs(&path)
        );
    }
    table.push(']');
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap_or_default()).join("assets.rs");
    if let Err(e) = std::fs::write(&out, table) {
        eprintln!("cannot write {}: {e}", out.display());
        std::process::exit(1);
    }
}

fn abs(p: &Path) -> String {
    p.canonicalize()
        .unwrap_or_else(|_| p.to_path_buf())
        .display()
        .to_string()
}
