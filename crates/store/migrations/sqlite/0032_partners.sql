-- 共建单位 (issue 24): units that report in to communities (单位报到) and
-- the accounts of their staff, signed 共建协议 with their commitments,
-- 三张清单 — needs (a need taken from a case or visit keeps its source but
-- never its people), resources, projects decided at a 联席会议 (a
-- deliberation meeting of kind `joint`) with their progress and funding
-- lines —, yearly evaluations, and the year's figures per community
-- rolled up at write time. Kept in lock-step with ../postgres/0032_partners.sql.
CREATE TABLE partner_units (
    id               INTEGER PRIMARY KEY,
    name             TEXT   NOT NULL UNIQUE,
    kind             TEXT   NOT NULL,
    party_org        TEXT   NOT NULL,
    contact_name     TEXT   NOT NULL,
    contact_phone    TEXT   NOT NULL,
    committee_member TEXT   NOT NULL,
    created_by       BIGINT NOT NULL,
    created_at       BIGINT NOT NULL
);

CREATE TABLE partner_members (
    user_id BIGINT PRIMARY KEY REFERENCES users(id),
    unit_id BIGINT NOT NULL REFERENCES partner_units(id)
);
CREATE INDEX partner_members_unit ON partner_members (unit_id);

CREATE TABLE partner_reports (
    unit_id        BIGINT NOT NULL REFERENCES partner_units(id),
    community_code TEXT   NOT NULL,
    state          TEXT   NOT NULL,
    note           TEXT   NOT NULL,
    requested_at   BIGINT NOT NULL,
    decided_at     BIGINT,
    decided_by     BIGINT,
    PRIMARY KEY (unit_id, community_code)
);
CREATE INDEX partner_reports_community ON partner_reports (community_code, state);

CREATE TABLE partner_agreements (
    id               INTEGER PRIMARY KEY,
    unit_id          BIGINT NOT NULL REFERENCES partner_units(id),
    community_code   TEXT   NOT NULL,
    title            TEXT   NOT NULL,
    commitments      TEXT   NOT NULL,
    commitment_count BIGINT NOT NULL,
    start_date       TEXT   NOT NULL,
    end_date         TEXT   NOT NULL,
    created_by       BIGINT NOT NULL,
    created_at       BIGINT NOT NULL
);
CREATE INDEX partner_agreements_unit ON partner_agreements (unit_id, community_code);

CREATE TABLE partner_resources (
    id         INTEGER PRIMARY KEY,
    unit_id    BIGINT NOT NULL REFERENCES partner_units(id),
    kind       TEXT   NOT NULL,
    category   TEXT   NOT NULL,
    title      TEXT   NOT NULL,
    detail     TEXT   NOT NULL,
    amount     TEXT   NOT NULL,
    available  TEXT   NOT NULL,
    active     BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX partner_resources_unit ON partner_resources (unit_id);
CREATE INDEX partner_resources_category ON partner_resources (category, active);

CREATE TABLE partner_needs (
    id             INTEGER PRIMARY KEY,
    community_code TEXT   NOT NULL,
    source         TEXT   NOT NULL,
    source_id      BIGINT,
    category       TEXT   NOT NULL,
    title          TEXT   NOT NULL,
    body           TEXT   NOT NULL,
    place          TEXT   NOT NULL,
    state          TEXT   NOT NULL,
    taken_by       BIGINT REFERENCES partner_units(id),
    created_by     BIGINT NOT NULL,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);
CREATE INDEX partner_needs_community ON partner_needs (community_code, state, id);
CREATE UNIQUE INDEX partner_needs_source ON partner_needs (source, source_id)
    WHERE source_id IS NOT NULL;

CREATE TABLE partner_meeting_needs (
    meeting_id BIGINT NOT NULL REFERENCES meetings(id),
    need_id    BIGINT NOT NULL REFERENCES partner_needs(id),
    PRIMARY KEY (meeting_id, need_id)
);

CREATE TABLE partner_projects (
    id             INTEGER PRIMARY KEY,
    community_code TEXT   NOT NULL,
    need_id        BIGINT NOT NULL UNIQUE REFERENCES partner_needs(id),
    meeting_id     BIGINT REFERENCES meetings(id),
    title          TEXT   NOT NULL,
    lead_unit_id   BIGINT NOT NULL REFERENCES partner_units(id),
    owner          TEXT   NOT NULL,
    due_on         TEXT   NOT NULL,
    budget_fen     BIGINT NOT NULL,
    state          TEXT   NOT NULL,
    outcome        TEXT,
    created_by     BIGINT NOT NULL,
    created_at     BIGINT NOT NULL,
    closed_at      BIGINT
);
CREATE INDEX partner_projects_community ON partner_projects (community_code, id);

CREATE TABLE partner_project_units (
    project_id BIGINT NOT NULL REFERENCES partner_projects(id),
    unit_id    BIGINT NOT NULL REFERENCES partner_units(id),
    PRIMARY KEY (project_id, unit_id)
);
CREATE INDEX partner_project_units_unit ON partner_project_units (unit_id);

CREATE TABLE partner_progress (
    id         INTEGER PRIMARY KEY,
    project_id BIGINT NOT NULL REFERENCES partner_projects(id),
    unit_id    BIGINT REFERENCES partner_units(id),
    by_user    BIGINT NOT NULL,
    by_name    TEXT   NOT NULL,
    note       TEXT   NOT NULL,
    at         BIGINT NOT NULL
);
CREATE INDEX partner_progress_project ON partner_progress (project_id, id);

CREATE TABLE partner_fundings (
    id         INTEGER PRIMARY KEY,
    project_id BIGINT NOT NULL REFERENCES partner_projects(id),
    unit_id    BIGINT NOT NULL REFERENCES partner_units(id),
    kind       TEXT   NOT NULL,
    amount     BIGINT NOT NULL,
    note       TEXT   NOT NULL,
    by_user    BIGINT NOT NULL,
    at         BIGINT NOT NULL
);
CREATE INDEX partner_fundings_project ON partner_fundings (project_id);
CREATE INDEX partner_fundings_unit ON partner_fundings (unit_id);

CREATE TABLE partner_evaluations (
    unit_id        BIGINT NOT NULL REFERENCES partner_units(id),
    community_code TEXT   NOT NULL,
    year           BIGINT NOT NULL,
    score          BIGINT NOT NULL,
    grade          TEXT   NOT NULL,
    comment        TEXT   NOT NULL,
    by_user        BIGINT NOT NULL,
    at             BIGINT NOT NULL,
    PRIMARY KEY (unit_id, community_code, year)
);

CREATE TABLE partner_tally (
    community_code   TEXT   NOT NULL,
    year             BIGINT NOT NULL,
    needs_opened     BIGINT NOT NULL,
    needs_met        BIGINT NOT NULL,
    projects_started BIGINT NOT NULL,
    projects_done    BIGINT NOT NULL,
    money_fen        BIGINT NOT NULL,
    goods_fen        BIGINT NOT NULL,
    minutes          BIGINT NOT NULL,
    PRIMARY KEY (community_code, year)
);
