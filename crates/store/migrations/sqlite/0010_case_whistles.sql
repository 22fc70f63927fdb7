-- 社区吹哨、部门报到: one row per department a whistle calls. The case
-- shows who was called, by whom, the report-in deadline and when each
-- department came (acked_at, with its note). Rows are never deleted.
-- Also the deadline warnings already sent (one per case, deadline and
-- level, so a sweep never warns twice and a new deadline warns anew) and
-- the outbound webhook's cursor over the notifications.
-- Kept in lock-step with ../postgres/0010_case_whistles.sql (checked by a test).
CREATE TABLE case_whistles (
    id              INTEGER PRIMARY KEY,
    case_id         BIGINT NOT NULL REFERENCES cases(id),
    dept_user_id    BIGINT NOT NULL REFERENCES users(id),
    dept_name       TEXT   NOT NULL,
    raised_by_id    BIGINT,
    raised_by_name  TEXT   NOT NULL,
    reason          TEXT   NOT NULL,
    raised_at       BIGINT NOT NULL,
    due_at          BIGINT NOT NULL,
    acked_at        BIGINT,
    ack_by_name     TEXT,
    ack_note        TEXT
);
CREATE INDEX case_whistles_case ON case_whistles (case_id, id);
CREATE INDEX case_whistles_dept ON case_whistles (dept_user_id, acked_at);

CREATE TABLE case_deadline_warnings (
    case_id BIGINT NOT NULL REFERENCES cases(id),
    due_at  BIGINT NOT NULL,
    level   TEXT   NOT NULL,
    sent_at BIGINT NOT NULL,
    PRIMARY KEY (case_id, due_at, level)
);

CREATE TABLE outbound_cursors (
    name    TEXT   NOT NULL PRIMARY KEY,
    last_id BIGINT NOT NULL
);
