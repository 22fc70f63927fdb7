//! The front-end libraries come from npm (web/package.json) and are
//! embedded in the binary; say plainly how to get them when missing.
use std::path::PathBuf;

const FILES: &[&str] = &[
    "htmx.org/dist/htmx.min.js",
    "leaflet/dist/leaflet.js",
    "leaflet/dist/leaflet.css",
    "echarts/dist/echarts.min.js",
];

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default())
        .join("../../web/node_modules");
    for f in FILES {
        let p = root.join(f);
        println!("cargo:rerun-if-changed={}", p.display());
        if !p.exists() {
            eprintln!(
                "missing {}: run `npm ci` in web/ first (or `make build`)",
                p.display()
            );
            std::process::exit(1);
        }
    }
}
