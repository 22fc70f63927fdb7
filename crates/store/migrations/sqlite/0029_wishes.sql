-- 微心愿 (issue 23): a resident in need (or staff for them) posts a small
-- wish; staff publish it with the name masked; a member, volunteer or
-- partner unit claims and fulfils it; staff confirm, which credits a
-- volunteer's points once. Kept in lock-step with ../postgres/0029_wishes.sql.
CREATE TABLE wishes (
    id             INTEGER PRIMARY KEY,
    community_code TEXT   NOT NULL,
    author_user    BIGINT NOT NULL,
    for_name       TEXT   NOT NULL,
    place          TEXT   NOT NULL,
    title          TEXT   NOT NULL,
    body           TEXT   NOT NULL,
    state          TEXT   NOT NULL,
    answer         TEXT,
    claimer_user   BIGINT,
    claimer_name   TEXT,
    delivered_note TEXT,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);
CREATE INDEX wishes_community ON wishes (community_code, state, id);
