//! Category suggestion: a multinomial naive-Bayes model over the words of
//! a description, learnt from cases whose category staff confirmed.
//! Segmentation is the caller's (jieba in the services); this is the pure
//! arithmetic: counts, Laplace smoothing, log probabilities.

use std::collections::HashMap;

/// A trained model. Categories are named by their code.
#[derive(Debug, Clone, Default)]
pub struct Model {
    /// per category: documents, total words, word counts
    classes: Vec<Class>,
    /// distinct words seen in training
    vocabulary: usize,
    documents: usize,
}

#[derive(Debug, Clone)]
struct Class {
    code: String,
    documents: usize,
    words: usize,
    counts: HashMap<String, u32>,
}

/// A suggested category and how sure the model is (the posterior, 0–1).
#[derive(Debug, Clone, PartialEq)]
pub struct Suggestion {
    pub code: String,
    pub confidence: f64,
}

/// Below this posterior the case stays unsorted for staff to classify.
pub const MIN_CONFIDENCE: f64 = 0.5;

/// Whether a segment carries meaning: not whitespace or punctuation alone.
pub fn is_word(token: &str) -> bool {
    token.chars().any(char::is_alphanumeric)
}

impl Model {
    /// Learns from `(category code, words)` examples.
    pub fn train<I, W>(examples: I) -> Model
    where
        I: IntoIterator<Item = (String, W)>,
        W: IntoIterator<Item = String>,
    {
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut classes: Vec<Class> = Vec::new();
        let mut vocabulary: HashMap<String, ()> = HashMap::new();
        let mut documents = 0;
        for (code, words) in examples {
            let i = *index.entry(code.clone()).or_insert_with(|| {
                classes.push(Class {
                    code,
                    documents: 0,
                    words: 0,
                    counts: HashMap::new(),
                });
                classes.len() - 1
            });
            let class = &mut classes[i];
            class.documents += 1;
            documents += 1;
            for w in words.into_iter().filter(|w| is_word(w)) {
                class.words += 1;
                vocabulary.entry(w.clone()).or_insert(());
                *class.counts.entry(w).or_insert(0) += 1;
            }
        }
        Model {
            classes,
            vocabulary: vocabulary.len(),
            documents,
        }
    }

    /// How many examples the model learnt from.
    pub fn documents(&self) -> usize {
        self.documents
    }

    /// The most likely category of `words` and its posterior; none when
    /// the model knows nothing or none of the words.
    pub fn predict<'a, W>(&self, words: W) -> Option<Suggestion>
    where
        W: IntoIterator<Item = &'a str>,
    {
        self.rank(words, 1).into_iter().next()
    }

    /// The `n` most likely categories of `words`, most likely first, each
    /// with its posterior; empty when the model knows none of the words.
    pub fn rank<'a, W>(&self, words: W, n: usize) -> Vec<Suggestion>
    where
        W: IntoIterator<Item = &'a str>,
    {
        let words: Vec<&str> = words.into_iter().filter(|w| is_word(w)).collect();
        let known = words
            .iter()
            .any(|w| self.classes.iter().any(|c| c.counts.contains_key(*w)));
        if self.classes.is_empty() || !known {
            return Vec::new();
        }
        let v = self.vocabulary as f64 + 1.0;
        let docs = self.documents as f64;
        let scores: Vec<f64> = self
            .classes
            .iter()
            .map(|c| {
                let prior = (c.documents as f64 / docs).ln();
                let denom = c.words as f64 + v;
                prior
                    + words
                        .iter()
                        .map(|w| {
                            let k = c.counts.get(*w).copied().unwrap_or(0);
                            ((f64::from(k) + 1.0) / denom).ln()
                        })
                        .sum::<f64>()
            })
            .collect();
        let top = scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        // posteriors: exp(s_i − s_best) / Σ exp(s_j − s_best)
        let total: f64 = scores.iter().map(|s| (s - top).exp()).sum();
        let mut ranked: Vec<Suggestion> = self
            .classes
            .iter()
            .zip(&scores)
            .map(|(c, s)| Suggestion {
                code: c.code.clone(),
                confidence: (s - top).exp() / total,
            })
            .collect();
        ranked.sort_by(|a, b| {
            b.confidence
                .total_cmp(&a.confidence)
                .then(a.code.cmp(&b.code))
        });
        ranked.truncate(n);
        ranked
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split(' ').map(str::to_owned).collect()
    }

    fn model() -> Model {
        Model::train([
            ("0104".to_owned(), words("路面 油污 垃圾 脏")),
            ("0104".to_owned(), words("道路 垃圾 没人 扫")),
            ("0301".to_owned(), words("楼上 漏水 物业 不管")),
            ("0301".to_owned(), words("物业 电梯 坏了")),
            ("0401".to_owned(), words("车位 乱停 堵住 消防通道")),
        ])
    }

    #[test]
    fn the_ranking_puts_the_likeliest_first_and_sums_to_one() {
        let m = model();
        let r = m.rank(["物业", "漏水", "垃圾"], 3);
        assert_eq!(r.len(), 3);
        assert_eq!(r[0].code, "0301");
        assert!(r[0].confidence > r[1].confidence && r[1].confidence >= r[2].confidence);
        let all: f64 = m
            .rank(["物业", "漏水", "垃圾"], 10)
            .iter()
            .map(|s| s.confidence)
            .sum();
        assert!((all - 1.0).abs() < 1e-9);
        assert_eq!(m.predict(["物业", "漏水", "垃圾"]).unwrap(), r[0]);
        assert!(m.rank(["从未见过"], 3).is_empty());
    }

    #[test]
    fn the_words_decide_the_category() {
        let m = model();
        assert_eq!(m.documents(), 5);
        let s = m.predict(["门口", "垃圾", "很", "脏"]).unwrap();
        assert_eq!(s.code, "0104");
        assert!(s.confidence > 0.5 && s.confidence <= 1.0, "{s:?}");
        assert_eq!(m.predict(["物业", "漏水"]).unwrap().code, "0301");
        assert_eq!(m.predict(["乱停", "车位"]).unwrap().code, "0401");
    }

    #[test]
    fn unknown_words_and_an_empty_model_suggest_nothing() {
        assert_eq!(model().predict(["今天", "天气"]), None);
        assert_eq!(model().predict(["，", " "]), None);
        assert_eq!(Model::default().predict(["垃圾"]), None);
    }

    #[test]
    fn posteriors_sum_to_one_across_a_tie() {
        let m = Model::train([("a".to_owned(), words("x")), ("b".to_owned(), words("x"))]);
        let s = m.predict(["x"]).unwrap();
        assert!((s.confidence - 0.5).abs() < 1e-9, "{s:?}");
    }

    #[test]
    fn punctuation_is_no_word() {
        assert!(is_word("垃圾") && is_word("5号楼") && !is_word(",") && !is_word(" \n"));
    }
}
