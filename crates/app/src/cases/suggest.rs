//! Category suggestion for reports that name none: the description is
//! segmented with jieba and classified by a naive-Bayes model learnt from
//! the cases staff accepted with a category (the newest 20,000). The model
//! is retrained from the database when it is ten minutes old; intake uses
//! the one in memory (warmed before the transaction, like the grid index).

use crate::{App, AppError};
use jieba_rs::Jieba;
use linli_domain::cases::suggest::{Model, Suggestion};
use linli_store::cases::setup;
use std::sync::{Arc, OnceLock, RwLock};
use std::time::{Duration, Instant};

/// How many confirmed cases the model learns from.
const EXAMPLES: i64 = 20_000;
/// How long a model serves before it is retrained.
const FRESH: Duration = Duration::from_secs(600);

/// A trained model and when it was trained.
type Trained = (Arc<Model>, Instant);

/// The model in memory (the segmenter's dictionary loads once per process).
#[derive(Clone, Default)]
pub(crate) struct SuggestCache {
    model: Arc<RwLock<Option<Trained>>>,
    /// held by the one request retraining; the others keep the old model
    retraining: Arc<tokio::sync::Mutex<()>>,
}

impl std::fmt::Debug for SuggestCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SuggestCache")
    }
}

fn jieba() -> &'static Jieba {
    static JIEBA: OnceLock<Jieba> = OnceLock::new();
    JIEBA.get_or_init(Jieba::new)
}

/// The words of a description (jieba's search mode: long words and their parts).
pub fn words(text: &str) -> Vec<String> {
    jieba()
        .cut_for_search(text, true)
        .into_iter()
        .map(str::to_owned)
        .collect()
}

/// Trains a model on `(category code, description)` examples.
pub fn train(examples: &[(String, String)]) -> Model {
    Model::train(examples.iter().map(|(c, d)| (c.clone(), words(d))))
}

/// What the model says about `text`.
pub fn classify(model: &Model, text: &str) -> Option<Suggestion> {
    let w = words(text);
    model.predict(w.iter().map(String::as_str))
}

impl App {
    /// The current model, retrained from the confirmed cases when stale.
    /// When it is stale, one caller retrains while the others go on with
    /// the old one, so a busy intake never trains the model many times over.
    pub async fn category_model(&self) -> Result<Arc<Model>, AppError> {
        let current = self.suggest.model.read().ok().and_then(|g| g.clone());
        if let Some((m, at)) = &current
            && at.elapsed() < FRESH
        {
            return Ok(m.clone());
        }
        let _turn = match (&current, self.suggest.retraining.try_lock()) {
            (_, Ok(turn)) => turn,
            (Some((m, _)), Err(_)) => return Ok(m.clone()),
            // no model yet: wait for the first one
            (None, Err(_)) => self.suggest.retraining.lock().await,
        };
        if let Some((m, at)) = self.suggest.model.read().ok().and_then(|g| g.clone())
            && at.elapsed() < FRESH
        {
            return Ok(m);
        }
        let examples = {
            let mut conn = self.db.conn().await?;
            setup::confirmed_examples(&mut conn, crate::cases::UNSORTED, EXAMPLES).await?
        };
        let model = tokio::task::spawn_blocking(move || train(&examples))
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let model = Arc::new(model);
        if let Ok(mut guard) = self.suggest.model.write() {
            *guard = Some((model.clone(), Instant::now()));
        }
        Ok(model)
    }

    /// A category for `text` from the model in memory, if it is sure enough.
    pub(crate) fn suggest_category(&self, text: &str) -> Option<Suggestion> {
        let model = self.suggest.model.read().ok()?.as_ref()?.0.clone();
        classify(&model, text)
            .filter(|s| s.confidence >= linli_domain::cases::suggest::MIN_CONFIDENCE)
    }

    /// A category for `text`, for the report form (retrains when stale).
    pub async fn suggest_for(&self, text: &str) -> Result<Option<Suggestion>, AppError> {
        self.category_model().await?;
        Ok(self.suggest_category(text))
    }

    /// The suggested category itself and the confidence in percent.
    pub async fn suggest_named(
        &self,
        text: &str,
    ) -> Result<Option<(crate::cases::CaseCategory, u32)>, AppError> {
        let Some(s) = self.suggest_for(text).await? else {
            return Ok(None);
        };
        let mut conn = self.db.conn().await?;
        let cat = setup::category_by_code(&mut conn, &s.code)
            .await?
            .filter(|c| c.active && c.parent_id.is_some());
        let pct = (s.confidence * 100.0).round().clamp(0.0, 100.0) as u32;
        Ok(cat.map(|c| (c, pct)))
    }

    /// Up to `n` categories `text` most likely belongs to, for a person to
    /// tap (no figures shown): leaf categories in use, each at least
    /// [`CHOICE_FLOOR`] likely.
    pub async fn suggest_choices(
        &self,
        text: &str,
        n: usize,
    ) -> Result<Vec<crate::cases::CaseCategory>, AppError> {
        let model = self.category_model().await?;
        let w = words(text);
        let ranked = model.rank(w.iter().map(String::as_str), n);
        let mut conn = self.db.conn().await?;
        let mut out = Vec::new();
        for s in ranked.into_iter().filter(|s| s.confidence >= CHOICE_FLOOR) {
            if let Some(c) = setup::category_by_code(&mut conn, &s.code)
                .await?
                .filter(|c| c.active && c.parent_id.is_some())
            {
                out.push(c);
            }
        }
        Ok(out)
    }
}

/// A category less likely than this is not offered as a choice.
pub const CHOICE_FLOOR: f64 = 0.05;
