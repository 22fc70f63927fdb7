-- 人房地情: care tags, households and residents.
-- Kept in lock-step with ../postgres/0004_registry.sql (checked by a test).
-- ID numbers, phones and health notes are sealed by the application
-- (`KEYID:ALG:HEX`, SM4-GCM or AES-256-GCM); *_index columns are HMAC-SM3
-- blind indexes for exact lookup; *_masked hold what is shown by default.

-- 标签 (七色信息牌): configurable; visit_days is the default visit period.
CREATE TABLE care_tags (
    id         INTEGER PRIMARY KEY,
    name       TEXT   NOT NULL UNIQUE,
    color      TEXT   NOT NULL,
    visit_days BIGINT,
    created_at BIGINT NOT NULL
);

-- 户: a household living in a dwelling.
CREATE TABLE households (
    id             INTEGER PRIMARY KEY,
    community_code TEXT   NOT NULL,
    dwelling_id    BIGINT NOT NULL REFERENCES dwellings(id),
    created_at     BIGINT NOT NULL
);
CREATE INDEX households_dwelling ON households (dwelling_id);

-- 居民: one record per person (一人一档), keyed by the document's blind index.
-- building_id repeats the dwelling's building so scope filters need no join chain.
CREATE TABLE residents (
    id             INTEGER PRIMARY KEY,
    community_code TEXT   NOT NULL,
    household_id   BIGINT NOT NULL REFERENCES households(id),
    dwelling_id    BIGINT NOT NULL REFERENCES dwellings(id),
    building_id    BIGINT NOT NULL REFERENCES buildings(id),
    name           TEXT   NOT NULL,
    gender         TEXT   NOT NULL,
    birth_date     TEXT   NOT NULL,
    doc_kind       TEXT   NOT NULL,
    doc_sealed     TEXT   NOT NULL,
    doc_index      TEXT   NOT NULL UNIQUE,
    doc_masked     TEXT   NOT NULL,
    phone_sealed   TEXT,
    phone_index    TEXT,
    phone_masked   TEXT,
    health_sealed  TEXT,
    ethnicity      TEXT   NOT NULL,
    political      TEXT   NOT NULL,
    relation       TEXT   NOT NULL,
    residency      TEXT   NOT NULL,
    work_unit      TEXT   NOT NULL,
    moved_in       TEXT,
    moved_out      TEXT,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);
CREATE INDEX residents_building ON residents (building_id, id);
CREATE INDEX residents_community ON residents (community_code, id);
CREATE INDEX residents_name ON residents (name);
CREATE INDEX residents_phone ON residents (phone_index);
CREATE INDEX residents_household ON residents (household_id);
CREATE INDEX residents_birth ON residents (birth_date);

-- A tag on a person, with the 包保人 and the visit period for this person.
CREATE TABLE resident_tags (
    resident_id BIGINT NOT NULL REFERENCES residents(id) ON DELETE CASCADE,
    tag_id      BIGINT NOT NULL REFERENCES care_tags(id),
    carer       TEXT,
    visit_days  BIGINT,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (resident_id, tag_id)
);
CREATE INDEX resident_tags_tag ON resident_tags (tag_id, resident_id);

-- The tags a new deployment starts with; communities add their own.
INSERT INTO care_tags (name, color, visit_days, created_at) VALUES
    ('独居老人', 'red', 7, 0), ('空巢老人', 'orange', 14, 0), ('高龄老人', 'orange', 14, 0),
    ('残疾人', 'yellow', 30, 0), ('低保', 'green', 30, 0), ('特困', 'green', 30, 0),
    ('重点关怀', 'red', 7, 0), ('退役军人', 'blue', NULL, 0), ('留守儿童', 'purple', 30, 0),
    ('短租', 'grey', NULL, 0);
