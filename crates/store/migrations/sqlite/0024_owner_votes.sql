-- 业主共同决定 (issue 22, first part): the owners' register (产权人 and
-- exclusive area per dwelling, by source), votes under Civil Code art. 278
-- on a frozen roll, who took part by which channel, and the count per
-- option. What an owner chose is never stored beside who they are: the
-- count keeps sums only. Kept in lock-step with ../postgres/0024_owner_votes.sql.

-- 业主名册: one owner per dwelling — a person in the registry or the
-- developer (unsold units); areas in 平方分米 (0.01 m²)
CREATE TABLE dwelling_owners (
    dwelling_id   BIGINT PRIMARY KEY REFERENCES dwellings(id),
    resident_id   BIGINT REFERENCES residents(id),
    developer     BIGINT NOT NULL,
    area_register BIGINT,
    area_survey   BIGINT,
    area_contract BIGINT,
    updated_by    BIGINT,
    updated_at    BIGINT NOT NULL,
    CHECK ((resident_id IS NULL AND developer = 1) OR (resident_id IS NOT NULL AND developer = 0))
);
CREATE INDEX dwelling_owners_resident ON dwelling_owners (resident_id);

CREATE TABLE owner_votes (
    id             INTEGER PRIMARY KEY,
    community_code TEXT   NOT NULL,
    scope_kind     TEXT   NOT NULL,
    scope_id       BIGINT NOT NULL,
    scope_name     TEXT   NOT NULL,
    item           BIGINT NOT NULL,
    title          TEXT   NOT NULL,
    body           TEXT   NOT NULL,
    options        TEXT   NOT NULL,
    state          TEXT   NOT NULL,
    closes_on      TEXT   NOT NULL,
    area_total     BIGINT NOT NULL,
    heads_total    BIGINT NOT NULL,
    result         TEXT,
    created_by     BIGINT NOT NULL,
    created_at     BIGINT NOT NULL,
    opened_at      BIGINT,
    closed_at      BIGINT
);
CREATE INDEX owner_votes_community ON owner_votes (community_code, id);

-- the roll, frozen when the vote opens
CREATE TABLE vote_roll (
    vote_id     BIGINT NOT NULL REFERENCES owner_votes(id),
    owner_key   TEXT   NOT NULL,
    resident_id BIGINT,
    area        BIGINT NOT NULL,
    units       TEXT   NOT NULL,
    PRIMARY KEY (vote_id, owner_key)
);
CREATE INDEX vote_roll_resident ON vote_roll (resident_id);

-- who took part and how (one row per owner across channels) — not what they chose
CREATE TABLE vote_participation (
    vote_id    BIGINT NOT NULL,
    owner_key  TEXT   NOT NULL,
    channel    TEXT   NOT NULL,
    proof      TEXT   NOT NULL,
    entered_by BIGINT,
    receipt    TEXT   NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (vote_id, owner_key),
    FOREIGN KEY (vote_id, owner_key) REFERENCES vote_roll (vote_id, owner_key)
);

-- the count: sums per option only
CREATE TABLE vote_counts (
    vote_id BIGINT NOT NULL REFERENCES owner_votes(id),
    choice  TEXT   NOT NULL,
    area    BIGINT NOT NULL,
    heads   BIGINT NOT NULL,
    PRIMARY KEY (vote_id, choice)
);
