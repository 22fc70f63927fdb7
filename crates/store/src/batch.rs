//! Group commit: many small writes of one kind in one transaction.
//!
//! A write that files one row per request (a new case) would otherwise
//! pay a transaction, a dozen statements and a durable commit per
//! request, all of it in SQLite's one writer (on PostgreSQL: while holding
//! the day's counter and roll-up rows). A [`Batcher`] queues such writes;
//! one task takes every write waiting (up to [`MAX_BATCH`]), runs the
//! batch function once over all of them — multi-row statements — in one
//! transaction, commits, and only then answers each caller. Under load the
//! batches grow, so the cost per write falls as the load rises; alone, a
//! write is a batch of one and waits for nobody.
//!
//! When a batch fails as a whole, each of its writes is run again in a
//! transaction of its own, so one bad write answers with its own error and
//! never costs the others theirs. No write is answered before the commit
//! that makes it durable.

use crate::{Conn, Db, StoreError};
use futures_util::FutureExt;
use futures_util::future::BoxFuture;
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

/// The most writes one transaction carries (bounds the wait of the
/// first, and the statements' sizes).
pub const MAX_BATCH: usize = 64;

/// The batch function: files `inputs` on `conn` (inside the batch's
/// transaction) and returns one result per input, in order.
pub type BatchFn<T, R, E> =
    Arc<dyn for<'c> Fn(&'c mut Conn, &'c [T]) -> BoxFuture<'c, Result<Vec<R>, E>> + Send + Sync>;

struct Queued<T, R, E> {
    input: T,
    reply: oneshot::Sender<Result<R, E>>,
}

/// The sending end; the task ends when the last clone is dropped.
pub struct Batcher<T, R, E> {
    queue: mpsc::UnboundedSender<Queued<T, R, E>>,
}

impl<T, R, E> Clone for Batcher<T, R, E> {
    fn clone(&self) -> Self {
        Batcher {
            queue: self.queue.clone(),
        }
    }
}

impl<T, R, E> std::fmt::Debug for Batcher<T, R, E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Batcher")
            .field("running", &!self.queue.is_closed())
            .finish()
    }
}

impl<T, R, E> Batcher<T, R, E>
where
    T: Send + Sync + 'static,
    R: Send + 'static,
    E: From<StoreError> + std::fmt::Display + Send + 'static,
{
    /// Starts the batch task on the current tokio runtime.
    pub fn start(db: Db, run: BatchFn<T, R, E>) -> Self {
        let (queue, rx) = mpsc::unbounded_channel();
        tokio::spawn(drive(db, run, rx));
        Batcher { queue }
    }

    /// False once the task has ended (its runtime shut down).
    pub fn is_running(&self) -> bool {
        !self.queue.is_closed()
    }

    /// Queues `input` and waits until it is durable (or refused).
    pub async fn submit(&self, input: T) -> Result<R, E> {
        let (reply, answer) = oneshot::channel();
        self.queue
            .send(Queued { input, reply })
            .map_err(|_| E::from(StoreError::Batch("the write queue has stopped".into())))?;
        answer
            .await
            .map_err(|_| E::from(StoreError::Batch("the write was not carried out".into())))?
    }
}

async fn drive<T, R, E>(
    db: Db,
    run: BatchFn<T, R, E>,
    mut rx: mpsc::UnboundedReceiver<Queued<T, R, E>>,
) where
    T: Send + Sync + 'static,
    R: Send + 'static,
    E: From<StoreError> + std::fmt::Display + Send + 'static,
{
    let mut queued = Vec::with_capacity(MAX_BATCH);
    while rx.recv_many(&mut queued, MAX_BATCH).await > 0 {
        let (inputs, replies): (Vec<T>, Vec<_>) =
            queued.drain(..).map(|q| (q.input, q.reply)).unzip();
        let started = std::time::Instant::now();
        match once(&db, &run, &inputs).await {
            Ok(out) => {
                tracing::debug!(
                    writes = out.len(),
                    micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
                    "batch committed"
                );
                for (reply, r) in replies.into_iter().zip(out) {
                    let _ = reply.send(Ok(r));
                }
            }
            Err(e) if inputs.len() == 1 => {
                if let Some(reply) = replies.into_iter().next() {
                    let _ = reply.send(Err(e));
                }
            }
            Err(e) => {
                tracing::debug!(writes = inputs.len(), error = %e, "batch failed; writing one by one");
                for (input, reply) in inputs.iter().zip(replies) {
                    let r = once(&db, &run, std::slice::from_ref(input)).await;
                    let _ = reply.send(r.and_then(|mut v| {
                        v.pop()
                            .ok_or_else(|| E::from(StoreError::Batch("no result".into())))
                    }));
                }
            }
        }
    }
}

/// One transaction over `inputs`: all of them commit, or none. A batch
/// function that panics counts as failed (the task carries on).
async fn once<T, R, E>(db: &Db, run: &BatchFn<T, R, E>, inputs: &[T]) -> Result<Vec<R>, E>
where
    E: From<StoreError>,
{
    let mut tx = db.begin().await?;
    let out = std::panic::AssertUnwindSafe(run(&mut tx, inputs))
        .catch_unwind()
        .await
        .map_err(|_| E::from(StoreError::Batch("the batch function panicked".into())))??;
    if out.len() != inputs.len() {
        return Err(E::from(StoreError::Batch(format!(
            "{} results for {} writes",
            out.len(),
            inputs.len()
        ))));
    }
    tx.commit().await?;
    Ok(out)
}
