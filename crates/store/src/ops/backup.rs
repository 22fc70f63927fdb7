//! The database as rows, for `linli backup` and `linli restore`: which
//! tables there are and in which order they can be filled (foreign keys
//! first), their columns, every row as JSON values, and writing rows back.
//! One portable form for both databases: a backup taken on SQLite restores
//! onto PostgreSQL and back (the schemas are kept in lock-step).

use crate::{Conn, StoreError};
use futures_util::TryStreamExt;
use serde_json::Value;
use sqlx::{Column, Row, ValueRef};

/// The bookkeeping of sqlx itself, which the target has of its own.
const SKIP: &str = "_sqlx_migrations";

fn is_sqlite(conn: &Conn) -> bool {
    conn.backend_name() == "SQLite"
}

/// A table name as it may stand in SQL: lowercase letters, digits and `_`
/// only (ours all are); anything else is refused.
fn ident(name: &str) -> Result<&str, StoreError> {
    if !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        Ok(name)
    } else {
        Err(StoreError::Corrupt(format!(
            "not a table or column name: {name:?}"
        )))
    }
}

/// Starts reading one consistent snapshot on this connection (SQLite: a
/// deferred read transaction, whose snapshot the WAL keeps while writers
/// go on; PostgreSQL: repeatable read, read only). End it with
/// [`end_snapshot`].
pub async fn snapshot(conn: &mut Conn) -> Result<(), StoreError> {
    let sql = if is_sqlite(conn) {
        "BEGIN"
    } else {
        "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
    };
    sqlx::query(sql).execute(conn).await?;
    Ok(())
}

/// Ends the snapshot [`snapshot`] began.
pub async fn end_snapshot(conn: &mut Conn) -> Result<(), StoreError> {
    sqlx::query("ROLLBACK").execute(conn).await?;
    Ok(())
}

/// The tables of the schema, in an order that fills every referenced
/// table before the tables that point at it.
pub async fn tables(conn: &mut Conn) -> Result<Vec<String>, StoreError> {
    let names: Vec<String> = if is_sqlite(conn) {
        sqlx::query(
            "SELECT name FROM sqlite_master
              WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
        )
        .fetch_all(&mut *conn)
        .await?
    } else {
        sqlx::query(
            "SELECT table_name::text FROM information_schema.tables
              WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'
              ORDER BY table_name",
        )
        .fetch_all(&mut *conn)
        .await?
    }
    .iter()
    .map(|r| r.try_get::<String, _>(0))
    .collect::<Result<_, _>>()?;
    let names: Vec<String> = names.into_iter().filter(|n| n != SKIP).collect();
    let mut edges = Vec::new();
    for t in &names {
        for parent in parents(conn, t).await? {
            if parent != *t {
                edges.push((t.clone(), parent));
            }
        }
    }
    Ok(order(&names, &edges))
}

/// The tables `table` points at by foreign key.
async fn parents(conn: &mut Conn, table: &str) -> Result<Vec<String>, StoreError> {
    let rows = if is_sqlite(conn) {
        sqlx::query("SELECT DISTINCT \"table\" FROM pragma_foreign_key_list($1)")
            .bind(table)
            .fetch_all(&mut *conn)
            .await?
    } else {
        sqlx::query(
            "SELECT DISTINCT ccu.table_name::text
               FROM information_schema.table_constraints tc
               JOIN information_schema.constraint_column_usage ccu
                 ON ccu.constraint_name = tc.constraint_name
                AND ccu.constraint_schema = tc.constraint_schema
              WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_schema = current_schema()
                AND tc.table_name = $1",
        )
        .bind(table)
        .fetch_all(&mut *conn)
        .await?
    };
    rows.iter()
        .map(|r| Ok(r.try_get::<String, _>(0)?))
        .collect()
}

/// `names` with each table after the tables it points at (`edges`:
/// child → parent); ties by name, so the order is the same on both
/// databases.
fn order(names: &[String], edges: &[(String, String)]) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(names.len());
    let mut left: Vec<&String> = names.iter().collect();
    while !left.is_empty() {
        let ready = left.iter().position(|t| {
            edges
                .iter()
                .filter(|(c, _)| c == *t)
                .all(|(_, p)| out.contains(p) || !names.contains(p))
        });
        // a cycle (none in our schema) falls back to name order
        let i = ready.unwrap_or(0);
        out.push(left.remove(i).clone());
    }
    out
}

/// What a column holds, for binding a NULL the target accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Int,
    Real,
    Text,
}

impl Kind {
    /// From the declared type (SQLite) or the data type (PostgreSQL).
    fn of(declared: &str) -> Kind {
        let t = declared.to_ascii_lowercase();
        if t.contains("int") || t == "boolean" {
            Kind::Int
        } else if t.contains("real") || t.contains("double") || t.contains("numeric") {
            Kind::Real
        } else {
            Kind::Text
        }
    }
}

/// A table's columns in their order, each with its kind.
pub async fn columns(conn: &mut Conn, table: &str) -> Result<Vec<(String, Kind)>, StoreError> {
    let rows = if is_sqlite(conn) {
        sqlx::query("SELECT name, type FROM pragma_table_info($1) ORDER BY cid")
            .bind(table)
            .fetch_all(&mut *conn)
            .await?
    } else {
        sqlx::query(
            "SELECT column_name::text, data_type::text FROM information_schema.columns
              WHERE table_schema = current_schema() AND table_name = $1
              ORDER BY ordinal_position",
        )
        .bind(table)
        .fetch_all(&mut *conn)
        .await?
    };
    rows.iter()
        .map(|r| {
            let declared: String = r.try_get(1)?;
            Ok((r.try_get::<String, _>(0)?, Kind::of(&declared)))
        })
        .collect()
}

/// One value as JSON: null, a whole number, a real, text.
fn value(row: &sqlx::any::AnyRow, i: usize) -> Result<Value, StoreError> {
    if row.try_get_raw(i)?.is_null() {
        return Ok(Value::Null);
    }
    if let Ok(v) = row.try_get::<i64, _>(i) {
        return Ok(Value::from(v));
    }
    if let Ok(v) = row.try_get::<f64, _>(i) {
        return Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number));
    }
    if let Ok(v) = row.try_get::<String, _>(i) {
        return Ok(Value::String(v));
    }
    if let Ok(v) = row.try_get::<bool, _>(i) {
        return Ok(Value::from(i64::from(v)));
    }
    Err(StoreError::Corrupt(format!(
        "column {} holds a value that is neither number nor text",
        row.columns().get(i).map_or("?", |c| c.name())
    )))
}

/// Calls `each` with every row of `table` (its `columns`, in the first
/// column's order), read in one pass.
pub async fn each_row<F>(
    conn: &mut Conn,
    table: &str,
    columns: &[String],
    mut each: F,
) -> Result<u64, StoreError>
where
    F: FnMut(Vec<Value>) -> Result<(), StoreError>,
{
    let cols: Vec<&str> = columns.iter().map(|c| ident(c)).collect::<Result<_, _>>()?;
    let sql = format!(
        "SELECT {} FROM {} ORDER BY {}",
        cols.join(", "),
        ident(table)?,
        cols.first().copied().unwrap_or("1")
    );
    let mut rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch(&mut *conn);
    let mut n = 0u64;
    while let Some(r) = rows.try_next().await? {
        let vals = (0..cols.len())
            .map(|i| value(&r, i))
            .collect::<Result<_, _>>()?;
        each(vals)?;
        n += 1;
    }
    Ok(n)
}

/// Rows in a table.
pub async fn count(conn: &mut Conn, table: &str) -> Result<i64, StoreError> {
    let sql = format!("SELECT COUNT(*) FROM {}", ident(table)?);
    Ok(sqlx::query(sqlx::AssertSqlSafe(sql))
        .fetch_one(conn)
        .await?
        .try_get(0)?)
}

/// Empties a table (the reference rows a fresh schema is seeded with,
/// before a restore writes the backup's).
pub async fn clear(conn: &mut Conn, table: &str) -> Result<(), StoreError> {
    let sql = format!("DELETE FROM {}", ident(table)?);
    sqlx::query(sqlx::AssertSqlSafe(sql)).execute(conn).await?;
    Ok(())
}

/// Writes `rows` into `table`, a few hundred a statement.
pub async fn insert(
    conn: &mut Conn,
    table: &str,
    (columns, kinds): (&[String], &[Kind]),
    rows: &[Vec<Value>],
) -> Result<(), StoreError> {
    let cols: Vec<&str> = columns.iter().map(|c| ident(c)).collect::<Result<_, _>>()?;
    if cols.is_empty() {
        return Ok(());
    }
    // about 900 values a statement: SQLite (through sqlx) slows down badly
    // with thousands of binds in one statement — the demo's restore took
    // 14.7 s at 8,000 and 2.4 s at 900; PostgreSQL went from 3.5 to 3.1 s
    let per = (900 / cols.len()).max(1);
    for chunk in rows.chunks(per) {
        let mut tuples = Vec::with_capacity(chunk.len());
        for (r, row) in chunk.iter().enumerate() {
            if row.len() != cols.len() {
                return Err(StoreError::Corrupt(format!(
                    "{table}: a row of {} values for {} columns",
                    row.len(),
                    cols.len()
                )));
            }
            let marks: Vec<String> = (0..cols.len())
                .map(|c| format!("${}", r * cols.len() + c + 1))
                .collect();
            tuples.push(format!("({})", marks.join(", ")));
        }
        let sql = format!(
            "INSERT INTO {} ({}) VALUES {}",
            ident(table)?,
            cols.join(", "),
            tuples.join(", ")
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for row in chunk {
            for (v, k) in row
                .iter()
                .zip(kinds.iter().chain(std::iter::repeat(&Kind::Text)))
            {
                q = match (v, k) {
                    (Value::Null, Kind::Int) => q.bind(None::<i64>),
                    (Value::Null, Kind::Real) => q.bind(None::<f64>),
                    (Value::Null, Kind::Text) => q.bind(None::<String>),
                    (Value::Bool(b), _) => q.bind(i64::from(*b)),
                    (Value::Number(n), Kind::Real) => q.bind(n.as_f64().unwrap_or(0.0)),
                    (Value::Number(n), _) => match n.as_i64() {
                        Some(i) => q.bind(i),
                        None => q.bind(n.as_f64().unwrap_or(0.0)),
                    },
                    (Value::String(s), _) => q.bind(s.clone()),
                    (other, _) => {
                        return Err(StoreError::Corrupt(format!("{table}: a value {other}")));
                    }
                };
            }
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// After a restore on PostgreSQL, an identity column continues after the
/// largest id restored (SQLite needs nothing: it takes the largest + 1).
pub async fn continue_ids(conn: &mut Conn, table: &str) -> Result<(), StoreError> {
    if is_sqlite(conn) {
        return Ok(());
    }
    let t = ident(table)?;
    let has_id = columns(conn, t).await?.iter().any(|(c, _)| c == "id");
    if !has_id {
        return Ok(());
    }
    let sql = format!(
        "SELECT setval(s::regclass, GREATEST(COALESCE((SELECT MAX(id) FROM {t}), 0), 1),
                       (SELECT MAX(id) FROM {t}) IS NOT NULL)
           FROM pg_get_serial_sequence('{t}', 'id') AS s WHERE s IS NOT NULL"
    );
    sqlx::query(sqlx::AssertSqlSafe(sql)).execute(conn).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn referenced_tables_come_first() {
        let names: Vec<String> = ["a", "b", "c"].map(String::from).to_vec();
        let edges = vec![
            ("a".to_owned(), "c".to_owned()),
            ("c".to_owned(), "b".to_owned()),
        ];
        assert_eq!(order(&names, &edges), ["b", "c", "a"]);
    }

    #[test]
    fn only_plain_names_reach_sql() {
        assert!(ident("partner_units").is_ok());
        assert!(ident("x; DROP TABLE users").is_err() && ident("").is_err());
    }
}
