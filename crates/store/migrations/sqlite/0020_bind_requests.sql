-- 实名绑定 (issue 19): a resident links their own account to their registry
-- record — name, ID number and phone must match what the community keeps —
-- and staff confirm it. Kept in lock-step with ../postgres/0020_bind_requests.sql.
CREATE TABLE bind_requests (
    id          INTEGER PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    resident_id BIGINT NOT NULL REFERENCES residents(id) ON DELETE CASCADE,
    -- 'pending', 'approved' or 'rejected'
    state       TEXT   NOT NULL,
    note        TEXT   NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL,
    decided_at  BIGINT,
    decided_by  TEXT
);
CREATE INDEX bind_requests_user ON bind_requests (user_id, id);
CREATE INDEX bind_requests_pending ON bind_requests (state, id);
