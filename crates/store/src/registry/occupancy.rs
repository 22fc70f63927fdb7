//! The 楼盘表's counts: per flat of a building, the residents living there,
//! how many are registered here, and how many carry care tags. Counts only,
//! never a name or a number.

use crate::{Conn, StoreError};
use linli_domain::registry::occupancy::FlatCount;
use sqlx::Row;

/// `(dwelling id, counts)` for each flat of `building_id` where someone
/// lives; flats missing from the answer are empty.
pub async fn of_building(
    conn: &mut Conn,
    building_id: i64,
) -> Result<Vec<(i64, FlatCount)>, StoreError> {
    let rows = sqlx::query(
        "SELECT r.dwelling_id, COUNT(*),
                SUM(CASE WHEN r.residency = 'registered' THEN 1 ELSE 0 END),
                SUM(CASE WHEN EXISTS (SELECT 1 FROM resident_tags rt JOIN care_tags t ON t.id = rt.tag_id
                                      WHERE rt.resident_id = r.id
                                        AND COALESCE(rt.visit_days, t.visit_days) IS NOT NULL)
                         THEN 1 ELSE 0 END),
                SUM(CASE WHEN EXISTS (SELECT 1 FROM resident_tags rt JOIN care_tags t ON t.id = rt.tag_id
                                      WHERE rt.resident_id = r.id AND t.color = 'red')
                         THEN 1 ELSE 0 END)
         FROM residents r
         WHERE r.building_id = $1 AND r.moved_out IS NULL
         GROUP BY r.dwelling_id",
    )
    .bind(building_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get(0)?,
                FlatCount {
                    residents: r.try_get(1)?,
                    registered: r.try_get(2)?,
                    cared: r.try_get(3)?,
                    key: r.try_get(4)?,
                },
            ))
        })
        .collect()
}
