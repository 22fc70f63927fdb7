//! The database's own integrity, for `linli check`: SQLite's page and
//! index check and its foreign-key check; on PostgreSQL, constraints or
//! indexes left unvalidated and, for every single-column foreign key, rows
//! that point at nothing (a restore with triggers off, a replica promoted
//! half-way, a hand edit can leave them).

use crate::{Conn, StoreError};
use sqlx::Row;

/// What is wrong with the database, in words an operator can act on;
/// empty when nothing is.
pub async fn problems(conn: &mut Conn) -> Result<Vec<String>, StoreError> {
    if conn.backend_name() == "SQLite" {
        sqlite(conn).await
    } else {
        postgres(conn).await
    }
}

async fn sqlite(conn: &mut Conn) -> Result<Vec<String>, StoreError> {
    let mut out = Vec::new();
    for r in sqlx::query("PRAGMA integrity_check")
        .fetch_all(&mut *conn)
        .await?
    {
        let line: String = r.try_get(0)?;
        if line != "ok" {
            out.push(format!("integrity_check: {line}"));
        }
    }
    for r in sqlx::query("PRAGMA foreign_key_check")
        .fetch_all(&mut *conn)
        .await?
    {
        let table: String = r.try_get(0)?;
        let row: Option<i64> = r.try_get(1)?;
        let parent: String = r.try_get(2)?;
        out.push(format!(
            "foreign key: {table} row {} points at a missing {parent}",
            row.map_or_else(|| "?".to_owned(), |v| v.to_string())
        ));
    }
    Ok(out)
}

async fn postgres(conn: &mut Conn) -> Result<Vec<String>, StoreError> {
    let mut out = Vec::new();
    let here = "(SELECT oid FROM pg_namespace WHERE nspname = current_schema())";
    let unvalidated = format!(
        "SELECT conrelid::regclass::text, conname::text FROM pg_constraint
         WHERE NOT convalidated AND connamespace = {here}"
    );
    for r in sqlx::query(sqlx::AssertSqlSafe(unvalidated))
        .fetch_all(&mut *conn)
        .await?
    {
        let (t, c): (String, String) = (r.try_get(0)?, r.try_get(1)?);
        out.push(format!("constraint {c} on {t} is not validated"));
    }
    let invalid = format!(
        "SELECT i.indexrelid::regclass::text FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
         WHERE NOT i.indisvalid AND c.relnamespace = {here}"
    );
    for r in sqlx::query(sqlx::AssertSqlSafe(invalid))
        .fetch_all(&mut *conn)
        .await?
    {
        let i: String = r.try_get(0)?;
        out.push(format!("index {i} is invalid"));
    }
    let keys = format!(
        "SELECT c.conrelid::regclass::text, a.attname::text, c.confrelid::regclass::text, f.attname::text
         FROM pg_constraint c
         JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
         JOIN pg_attribute f ON f.attrelid = c.confrelid AND f.attnum = c.confkey[1]
         WHERE c.contype = 'f' AND array_length(c.conkey, 1) = 1 AND c.connamespace = {here}
         ORDER BY 1, 2"
    );
    let keys: Vec<(String, String, String, String)> = sqlx::query(sqlx::AssertSqlSafe(keys))
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?)))
        .collect::<Result<_, sqlx::Error>>()?;
    for (table, column, parent, key) in keys {
        // names from the catalogue, quoted as identifiers
        let q = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
        let sql = format!(
            "SELECT COUNT(*) FROM {table} x WHERE x.{col} IS NOT NULL
             AND NOT EXISTS (SELECT 1 FROM {parent} p WHERE p.{key} = x.{col})",
            col = q(&column),
            key = q(&key),
        );
        let n: i64 = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_one(&mut *conn)
            .await?
            .try_get(0)?;
        if n > 0 {
            out.push(format!(
                "foreign key: {n} rows of {table}.{column} point at a missing {parent}"
            ));
        }
    }
    Ok(out)
}
