//! Filing new cases by the batch (group commit): the writes of every case
//! waiting to be filed go into one transaction — one case-number counter
//! step per day, one multi-row insert each for the cases, their
//! idempotency keys and timeline events, the roll-ups summed over the
//! batch, and the audit records chained in one go. Reads and checks were
//! done before (see `intake.rs`), outside the single writer.

use super::*;
use crate::cases::photos::attach_photos;
use linli_store::batch::{BatchFn, Batcher};
use std::collections::{BTreeMap, HashMap};

/// A new case ready to file: every read and check done, only the writes
/// left. Its number, id and event come at filing.
#[derive(Debug, Clone)]
pub(crate) struct Filing {
    /// the row, without id and number
    pub case: CaseRow,
    /// the territory nodes whose roll-ups count it
    pub scopes: Vec<String>,
    pub key_hash: Option<String>,
    pub api_key_id: Option<i64>,
    /// the submit event's note
    pub note: String,
    pub photos: Vec<ReadyPhoto>,
    pub actor: Actor,
}

/// The queue new cases wait in for their group commit.
pub(crate) type Filer = Batcher<Filing, (CaseRow, bool), AppError>;

/// The filer's handle, started on first use (on the runtime that uses it)
/// and again if that runtime has gone.
#[derive(Debug, Clone, Default)]
pub(crate) struct FilerCell(std::sync::Arc<std::sync::Mutex<Option<Filer>>>);

impl App {
    /// The running filer of this database.
    pub(crate) fn filer(&self) -> Filer {
        let mut cell = self
            .filer
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match cell.as_ref() {
            Some(f) if f.is_running() => f.clone(),
            _ => {
                let run: BatchFn<Filing, (CaseRow, bool), AppError> =
                    std::sync::Arc::new(|conn, batch| Box::pin(file_all(conn, batch)));
                let f = Batcher::start(self.db.clone(), run);
                *cell = Some(f.clone());
                f
            }
        }
    }
}

/// What becomes of one filing in a batch.
enum Fate {
    /// its idempotency key filed this case before
    Known(i64),
    /// an earlier filing of the batch has its key
    SameAs(usize),
    /// filed now, as the n-th new case
    New(usize),
}

/// Files `batch` on `conn` (inside the caller's transaction); returns
/// each filing's case and whether it is new, in order.
pub(crate) async fn file_all(
    conn: &mut Conn,
    batch: &[Filing],
) -> Result<Vec<(CaseRow, bool)>, AppError> {
    let hashes: Vec<&str> = batch.iter().filter_map(|f| f.key_hash.as_deref()).collect();
    let known: HashMap<String, i64> = store::cases_for_keys(&mut *conn, &hashes)
        .await?
        .into_iter()
        .collect();
    let mut first: HashMap<&str, usize> = HashMap::new();
    let mut cases: Vec<CaseRow> = Vec::new();
    let mut fates = Vec::with_capacity(batch.len());
    for (i, f) in batch.iter().enumerate() {
        let mut fresh = |c: &CaseRow| {
            cases.push(c.clone());
            Fate::New(cases.len() - 1)
        };
        let fate = match f.key_hash.as_deref() {
            Some(h) => match (known.get(h), first.get(h)) {
                (Some(id), _) => Fate::Known(*id),
                (None, Some(j)) => Fate::SameAs(*j),
                (None, None) => {
                    first.insert(h, i);
                    fresh(&f.case)
                }
            },
            None => fresh(&f.case),
        };
        fates.push(fate);
    }
    let fresh: Vec<&Filing> = batch
        .iter()
        .zip(&fates)
        .filter(|(_, fate)| matches!(fate, Fate::New(_)))
        .map(|(f, _)| f)
        .collect();
    number(&mut *conn, &mut cases).await?;
    let ids = store::insert_cases(&mut *conn, &cases).await?;
    for (c, id) in cases.iter_mut().zip(ids) {
        c.id = id;
    }
    write_around(&mut *conn, &fresh, &cases).await?;
    let mut out: Vec<(CaseRow, bool)> = Vec::with_capacity(batch.len());
    for fate in fates {
        let filed = match fate {
            Fate::New(n) => (cases[n].clone(), true),
            Fate::SameAs(i) => (out[i].0.clone(), false),
            Fate::Known(id) => (
                store::case_by_id(&mut *conn, id)
                    .await?
                    .ok_or(AppError::NotFound)?,
                false,
            ),
        };
        out.push(filed);
    }
    Ok(out)
}

/// Gives each new case its number: the next of its China day's counter.
async fn number(conn: &mut Conn, cases: &mut [CaseRow]) -> Result<(), AppError> {
    let mut days: BTreeMap<i64, Vec<usize>> = BTreeMap::new();
    for (i, c) in cases.iter().enumerate() {
        days.entry(rules::day_key(c.created_at))
            .or_default()
            .push(i);
    }
    for (day, at) in days {
        let count = i64::try_from(at.len()).unwrap_or(i64::MAX);
        let last = store::next_seqs(&mut *conn, day, count).await?;
        for (seq, i) in (last - count + 1..).zip(at) {
            let date = rules::china_date(cases[i].created_at);
            cases[i].number = rules::case_number(date, u32::try_from(seq).unwrap_or(0));
        }
    }
    Ok(())
}

/// What goes with the new cases: keys, Open311 key, timeline events,
/// photos, roll-ups and audit records.
async fn write_around(
    conn: &mut Conn,
    fresh: &[&Filing],
    cases: &[CaseRow],
) -> Result<(), AppError> {
    let keys: Vec<(&str, i64, UnixMs)> = fresh
        .iter()
        .zip(cases)
        .filter_map(|(f, c)| Some((f.key_hash.as_deref()?, c.id, c.created_at)))
        .collect();
    store::remember_keys(&mut *conn, &keys).await?;
    for (f, c) in fresh.iter().zip(cases) {
        if let Some(k) = f.api_key_id {
            store::open311::set_case_key(&mut *conn, c.id, k).await?;
        }
    }
    let events: Vec<Event> = fresh
        .iter()
        .zip(cases)
        .map(|(f, c)| Event {
            id: 0,
            case_id: c.id,
            step: "submit".to_owned(),
            from_state: None,
            to_state: c.state.clone(),
            actor_id: f.actor.id,
            actor_name: f.actor.name.clone(),
            note: f.note.clone(),
            public: true,
            at: c.created_at,
            due_at: c.due_at,
        })
        .collect();
    let event_ids = store::insert_events(&mut *conn, &events).await?;
    for ((f, c), ev) in fresh.iter().zip(cases).zip(event_ids) {
        attach_photos(
            &mut *conn,
            (c.id, ev),
            PhotoStage::Report,
            &f.photos,
            c.created_at,
        )
        .await?;
    }
    let received = [(rules::Counter::Received, 1)];
    let bumps: Vec<(StatKey, &[(rules::Counter, i64)])> = fresh
        .iter()
        .zip(cases)
        .map(|(f, c)| {
            let key = StatKey {
                scopes: &f.scopes,
                day: rules::day_key(c.created_at),
                category_id: c.category_id,
                channel: &c.channel,
                handler: c.handler_name.as_deref().unwrap_or(""),
            };
            (key, &received[..])
        })
        .collect();
    stats::bump_all(&mut *conn, &bumps).await?;
    let records = fresh
        .iter()
        .zip(cases)
        .map(|(f, c)| {
            let e = event(
                &f.actor,
                "case.submit",
                format!("case:{}", c.id),
                c.number.clone(),
            );
            (e, c.created_at)
        })
        .collect();
    audit::append_all(&mut *conn, records).await?;
    Ok(())
}
