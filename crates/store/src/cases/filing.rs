//! Filing new cases many at a time (see [`crate::batch`]): each function
//! writes a whole batch in a few multi-row statements, so a batch of
//! sixty-four cases costs a handful of round trips more than a batch of one.

use super::{CaseRow, Event};
use crate::multirow::{pieces, placeholders};
use crate::{Conn, StoreError};
use linli_domain::time::UnixMs;
use sqlx::Row;
use std::collections::HashMap;

/// Takes the next `count` sequence numbers of a China day (`yyyymmdd`);
/// returns the last, so they are `last - count + 1 ..= last`.
pub async fn next_seqs(conn: &mut Conn, day: i64, count: i64) -> Result<i64, StoreError> {
    let row = sqlx::query(
        "INSERT INTO case_counters (day, n) VALUES ($1, $2)
         ON CONFLICT (day) DO UPDATE SET n = case_counters.n + excluded.n RETURNING n",
    )
    .bind(day)
    .bind(count)
    .fetch_one(conn)
    .await?;
    Ok(row.try_get(0)?)
}

/// Inserts new cases (their `id`s are ignored; numbers must differ);
/// returns their ids in the order of `cases`.
pub async fn insert_cases(conn: &mut Conn, cases: &[CaseRow]) -> Result<Vec<i64>, StoreError> {
    let mut ids = HashMap::with_capacity(cases.len());
    for piece in pieces(cases.len()) {
        for (id, number) in insert_case_rows(&mut *conn, &cases[piece]).await? {
            ids.insert(number, id);
        }
    }
    // RETURNING promises no order: match the rows back by number
    in_order(cases, &ids, |c| &c.number)
}

/// One multi-row insert of `cases`: (id, number) of each.
async fn insert_case_rows(
    conn: &mut Conn,
    cases: &[CaseRow],
) -> Result<Vec<(i64, String)>, StoreError> {
    let sql = format!(
        "INSERT INTO cases (number, community_code, scope, grid_id, category_id, kind, channel,
            priority, state, description, address, lng_e7, lat_e7, dwelling_id, reporter_id,
            reporter_name, contact_sealed, contact_masked, due_at, dispatches, handlings, closings,
            reworks, reopens, postponements, created_at, updated_at, media_url)
         VALUES {} RETURNING id, number",
        placeholders(cases.len(), 28)
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for c in cases {
        q = q
            .bind(&c.number)
            .bind(&c.community)
            .bind(&c.scope)
            .bind(c.grid_id)
            .bind(c.category_id)
            .bind(&c.kind)
            .bind(&c.channel)
            .bind(&c.priority)
            .bind(&c.state)
            .bind(&c.description)
            .bind(&c.address)
            .bind(c.lng_e7)
            .bind(c.lat_e7)
            .bind(c.dwelling_id)
            .bind(c.reporter_id)
            .bind(&c.reporter_name)
            .bind(c.contact_sealed.as_deref())
            .bind(c.contact_masked.as_deref())
            .bind(c.due_at.map(|t| t.0))
            .bind(c.dispatches)
            .bind(c.handlings)
            .bind(c.closings)
            .bind(c.reworks)
            .bind(c.reopens)
            .bind(c.postponements)
            .bind(c.created_at.0)
            .bind(c.updated_at.0)
            .bind(c.media_url.as_deref());
    }
    let rows = q.fetch_all(&mut *conn).await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect()
}

/// Appends one timeline event (its `id` is ignored); returns the new id.
pub async fn insert_event(conn: &mut Conn, e: &Event) -> Result<i64, StoreError> {
    insert_events(conn, std::slice::from_ref(e))
        .await?
        .pop()
        .ok_or_else(|| StoreError::Corrupt("no event id came back".into()))
}

/// Appends timeline events, at most one per case (their `id`s are
/// ignored); returns their ids in the order of `events`.
pub async fn insert_events(conn: &mut Conn, events: &[Event]) -> Result<Vec<i64>, StoreError> {
    let mut ids = HashMap::with_capacity(events.len());
    for piece in pieces(events.len()) {
        for (id, case_id) in insert_event_rows(&mut *conn, &events[piece]).await? {
            if ids.insert(case_id, id).is_some() {
                return Err(StoreError::Corrupt(
                    "two new events of one case in a batch".into(),
                ));
            }
        }
    }
    in_order(events, &ids, |e| &e.case_id)
}

/// The ids of `rows` in their order, from the ids that came back by key.
fn in_order<T, K>(
    rows: &[T],
    ids: &HashMap<K, i64>,
    key: impl Fn(&T) -> &K,
) -> Result<Vec<i64>, StoreError>
where
    K: std::hash::Hash + Eq + std::fmt::Display,
{
    rows.iter()
        .map(|r| {
            ids.get(key(r))
                .copied()
                .ok_or_else(|| StoreError::Corrupt(format!("no id came back for {}", key(r))))
        })
        .collect()
}

/// One multi-row insert of `events`: (id, case id) of each.
async fn insert_event_rows(
    conn: &mut Conn,
    events: &[Event],
) -> Result<Vec<(i64, i64)>, StoreError> {
    let sql = format!(
        "INSERT INTO case_events (case_id, step, from_state, to_state, actor_id, actor_name, note,
            public, at, due_at) VALUES {} RETURNING id, case_id",
        placeholders(events.len(), 10)
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for e in events {
        q = q
            .bind(e.case_id)
            .bind(&e.step)
            .bind(e.from_state.as_deref())
            .bind(&e.to_state)
            .bind(e.actor_id)
            .bind(&e.actor_name)
            .bind(&e.note)
            .bind(crate::flag(e.public))
            .bind(e.at.0)
            .bind(e.due_at.map(|d| d.0));
    }
    let rows = q.fetch_all(&mut *conn).await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect()
}

/// The cases filed under these idempotency key hashes: (hash, case id).
pub async fn cases_for_keys(
    conn: &mut Conn,
    key_hashes: &[&str],
) -> Result<Vec<(String, i64)>, StoreError> {
    let mut found = Vec::new();
    for piece in pieces(key_hashes.len()) {
        let hashes = &key_hashes[piece];
        let sql = format!(
            "SELECT key_hash, case_id FROM case_idempotency WHERE key_hash IN {}",
            placeholders(1, hashes.len())
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for h in hashes {
            q = q.bind(*h);
        }
        for r in q.fetch_all(&mut *conn).await? {
            found.push((r.try_get(0)?, r.try_get(1)?));
        }
    }
    Ok(found)
}

/// Remembers which case each idempotency key hash filed, and when.
pub async fn remember_keys(
    conn: &mut Conn,
    keys: &[(&str, i64, UnixMs)],
) -> Result<(), StoreError> {
    for piece in pieces(keys.len()) {
        let keys = &keys[piece];
        let sql = format!(
            "INSERT INTO case_idempotency (key_hash, case_id, created_at) VALUES {}",
            placeholders(keys.len(), 3)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (h, id, at) in keys {
            q = q.bind(*h).bind(*id).bind(at.0);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}
