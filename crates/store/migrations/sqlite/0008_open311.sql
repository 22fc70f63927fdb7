-- Open311 GeoReport v2: the api_keys of partner systems (only an SM3 hash
-- of each key is kept), and which key filed a case.
-- Kept in lock-step with ../postgres/0008_open311.sql (checked by a test).
CREATE TABLE open311_keys (
    id         INTEGER PRIMARY KEY,
    name       TEXT   NOT NULL UNIQUE,
    key_hash   TEXT   NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);
ALTER TABLE cases ADD COLUMN api_key_id BIGINT REFERENCES open311_keys(id);
CREATE INDEX cases_created ON cases (created_at);
-- the dashboards' "open now" and "overdue now" counts over a subtree
CREATE INDEX cases_state_scope ON cases (state, scope);
