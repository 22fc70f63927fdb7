-- 走访 (issue 21, first part): a visit to a resident, by whom, how, what
-- was found, on which China day. How often each person is due comes from
-- their care tags (care_tags.visit_days, resident_tags.visit_days).
-- Kept in lock-step with ../postgres/0023_visits.sql.
CREATE TABLE visits (
    id           INTEGER PRIMARY KEY,
    resident_id  BIGINT NOT NULL REFERENCES residents(id) ON DELETE CASCADE,
    user_id      BIGINT REFERENCES users(id),
    visitor_name TEXT   NOT NULL,
    way          TEXT   NOT NULL,
    needs        TEXT   NOT NULL,
    note         TEXT   NOT NULL,
    visited_on   TEXT   NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX visits_resident ON visits (resident_id, visited_on);
