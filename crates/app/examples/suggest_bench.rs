//! The category suggestion's accuracy and speed (issue: "report its
//! accuracy on a held-out split in the benchmark").
//!
//! `suggest_bench [TSV]` reads hand-written reports (`bench/suggest-cases.tsv`:
//! category, tab, description). Every 4th report of each category is held
//! out; the model learns from the rest exactly as the services do (jieba
//! segmentation, naive Bayes) and is scored on the held-out ones: top-1
//! accuracy, and how many it would file on its own (posterior ≥ 0.5) and
//! how many of those are right. Then it times a retrain on 20,000
//! examples (the services' window) and one classification.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use linli_app::cases::suggest::{classify, train};
use linli_domain::cases::suggest::MIN_CONFIDENCE;
use std::collections::HashMap;
use std::time::Instant;

fn main() {
    let default = concat!(env!("CARGO_MANIFEST_DIR"), "/../../bench/suggest-cases.tsv");
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| default.to_owned());
    let text = std::fs::read_to_string(&path).unwrap();
    let (mut learn, mut held) = (Vec::new(), Vec::new());
    let mut seen: HashMap<String, usize> = HashMap::new();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let (code, desc) = line.split_once('\t').unwrap();
        let n = seen.entry(code.to_owned()).or_insert(0);
        let row = (code.to_owned(), desc.to_owned());
        if *n % 4 == 3 {
            held.push(row)
        } else {
            learn.push(row)
        }
        *n += 1;
    }
    let t = Instant::now();
    let model = train(&learn);
    let train_ms = t.elapsed().as_secs_f64() * 1e3;
    let (mut right, mut filed, mut filed_right) = (0, 0, 0);
    for (code, desc) in &held {
        let s = classify(&model, desc);
        let ok = s.as_ref().is_some_and(|s| &s.code == code);
        right += usize::from(ok);
        if s.as_ref().is_some_and(|s| s.confidence >= MIN_CONFIDENCE) {
            filed += 1;
            filed_right += usize::from(ok);
        }
    }
    let pct = |a: usize, b: usize| 100.0 * a as f64 / b.max(1) as f64;
    println!(
        "categories: {}, learnt from {} reports, held out {}",
        seen.len(),
        learn.len(),
        held.len()
    );
    println!(
        "top-1 accuracy on the held-out reports: {}/{} = {:.1} %",
        right,
        held.len(),
        pct(right, held.len())
    );
    println!(
        "filed automatically (posterior >= {MIN_CONFIDENCE}): {}/{} = {:.1} %, of which right {}/{} = {:.1} %",
        filed,
        held.len(),
        pct(filed, held.len()),
        filed_right,
        filed,
        pct(filed_right, filed)
    );
    println!(
        "training on {} reports (with loading jieba's dictionary): {train_ms:.1} ms",
        learn.len()
    );

    // the services' window: the newest 20,000 confirmed cases
    let big: Vec<(String, String)> = learn.iter().cycle().take(20_000).cloned().collect();
    let t = Instant::now();
    let big_model = train(&big);
    println!(
        "retraining on 20,000 reports: {:.0} ms",
        t.elapsed().as_secs_f64() * 1e3
    );
    let rounds = 2_000;
    let t = Instant::now();
    for i in 0..rounds {
        std::hint::black_box(classify(&big_model, &held[i % held.len()].1));
    }
    println!(
        "one classification (segment + score): {:.1} µs",
        t.elapsed().as_secs_f64() * 1e6 / rounds as f64
    );
}
