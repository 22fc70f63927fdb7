-- 民议 and 民办 (issue 22): comments on a proposal from residents of its
-- scope and staff (one level of replies; staff hide one with a public
-- reason, audited — nothing is deleted), and the progress of an adopted
-- matter (what was done, money spent). Kept in lock-step with
-- ../postgres/0027_comments_progress.sql.
CREATE TABLE proposal_comments (
    id            INTEGER PRIMARY KEY,
    proposal_id   BIGINT NOT NULL REFERENCES proposals(id),
    parent_id     BIGINT REFERENCES proposal_comments(id),
    author_user   BIGINT NOT NULL,
    author_name   TEXT   NOT NULL,
    staff         BIGINT NOT NULL,
    body          TEXT   NOT NULL,
    hidden_reason TEXT,
    hidden_by     BIGINT,
    created_at    BIGINT NOT NULL
);
CREATE INDEX proposal_comments_proposal ON proposal_comments (proposal_id, id);

CREATE TABLE proposal_progress (
    id          INTEGER PRIMARY KEY,
    proposal_id BIGINT NOT NULL REFERENCES proposals(id),
    body        TEXT   NOT NULL,
    spent_fen   BIGINT NOT NULL,
    written_by  BIGINT NOT NULL,
    written_at  BIGINT NOT NULL
);
CREATE INDEX proposal_progress_proposal ON proposal_progress (proposal_id, id);
