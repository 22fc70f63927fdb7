-- 民提 民议 民决 民评 (issue 22): residents' proposals (议题) with their
-- supports (附议: one per resident, never a decision), staff's answer,
-- meetings (入户小会, 议事协商会, 居民会议 …) with attendees and minutes kept
-- by version (a published version is never changed: a new one is written),
-- the decision a resident meeting took (present, for, against), residents'
-- ratings of the outcome, and the community's support threshold. An
-- owners' vote may belong to a proposal. Kept in lock-step with
-- ../postgres/0026_proposals.sql.
CREATE TABLE deliberation_settings (
    community_code    TEXT PRIMARY KEY,
    support_threshold BIGINT NOT NULL,
    meeting_quorum    BIGINT NOT NULL
);

CREATE TABLE proposals (
    id             INTEGER PRIMARY KEY,
    community_code TEXT   NOT NULL,
    scope_kind     TEXT   NOT NULL,
    scope_id       BIGINT NOT NULL,
    scope_name     TEXT   NOT NULL,
    author_user    BIGINT NOT NULL,
    author_name    TEXT   NOT NULL,
    title          TEXT   NOT NULL,
    body           TEXT   NOT NULL,
    state          TEXT   NOT NULL,
    supports       BIGINT NOT NULL,
    threshold      BIGINT NOT NULL,
    answer         TEXT,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);
CREATE INDEX proposals_community ON proposals (community_code, id);

CREATE TABLE proposal_supports (
    proposal_id BIGINT NOT NULL REFERENCES proposals(id),
    resident_id BIGINT NOT NULL REFERENCES residents(id),
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (proposal_id, resident_id)
);

CREATE TABLE meetings (
    id             INTEGER PRIMARY KEY,
    community_code TEXT   NOT NULL,
    proposal_id    BIGINT REFERENCES proposals(id),
    kind           TEXT   NOT NULL,
    title          TEXT   NOT NULL,
    held_on        TEXT   NOT NULL,
    place          TEXT   NOT NULL,
    present        BIGINT,
    votes_for      BIGINT,
    votes_against  BIGINT,
    created_by     BIGINT NOT NULL,
    created_at     BIGINT NOT NULL
);
CREATE INDEX meetings_community ON meetings (community_code, id);
CREATE INDEX meetings_proposal ON meetings (proposal_id);

CREATE TABLE meeting_attendees (
    meeting_id BIGINT NOT NULL REFERENCES meetings(id),
    n          BIGINT NOT NULL,
    name       TEXT   NOT NULL,
    PRIMARY KEY (meeting_id, n)
);

CREATE TABLE meeting_minutes (
    meeting_id BIGINT NOT NULL REFERENCES meetings(id),
    version    BIGINT NOT NULL,
    body       TEXT   NOT NULL,
    decisions  TEXT   NOT NULL,
    written_by BIGINT NOT NULL,
    written_at BIGINT NOT NULL,
    PRIMARY KEY (meeting_id, version)
);

CREATE TABLE proposal_ratings (
    proposal_id BIGINT NOT NULL REFERENCES proposals(id),
    resident_id BIGINT NOT NULL REFERENCES residents(id),
    score       BIGINT NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (proposal_id, resident_id)
);

ALTER TABLE owner_votes ADD COLUMN proposal_id BIGINT REFERENCES proposals(id);
