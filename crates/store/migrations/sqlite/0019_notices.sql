-- 通知公告 (issue 19): notices staff publish to a community's residents —
-- all of them, one grid's, or those with a care tag. Each notice keeps
-- the accounts it went to (they alone may open it) and when each read it.
-- Kept in lock-step with ../postgres/0019_notices.sql.
CREATE TABLE notices (
    id             INTEGER PRIMARY KEY,
    community_code TEXT   NOT NULL,
    title          TEXT   NOT NULL,
    body           TEXT   NOT NULL,
    -- 'all', 'grid' (audience_ref: the grid's code) or 'tag' (the tag's id)
    audience       TEXT   NOT NULL,
    audience_ref   TEXT,
    audience_label TEXT   NOT NULL,
    author_id      BIGINT REFERENCES users(id),
    author_name    TEXT   NOT NULL,
    recipients     BIGINT NOT NULL,
    published_at   BIGINT NOT NULL,
    withdrawn_at   BIGINT
);
CREATE INDEX notices_community ON notices (community_code, id);

CREATE TABLE notice_recipients (
    notice_id BIGINT NOT NULL REFERENCES notices(id) ON DELETE CASCADE,
    user_id   BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    read_at   BIGINT,
    PRIMARY KEY (notice_id, user_id)
);
CREATE INDEX notice_recipients_user ON notice_recipients (user_id, notice_id);
