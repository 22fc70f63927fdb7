-- 诉求: residents' requests in a closed loop (DESIGN.md §4, GB/T 30428).
-- Kept in lock-step with ../postgres/0007_cases.sql (checked by a test).
-- A case's scope is the code of the leaf grid it lies in, or its
-- community's code while it waits in the community's intake queue; the
-- roll-ups are keyed by the same code, so a territory subtree is a prefix.

-- 案件类别: a two-level tree; code doubles as the Open311 service_code.
CREATE TABLE case_categories (
    id            INTEGER PRIMARY KEY,
    parent_id     BIGINT REFERENCES case_categories(id),
    code          TEXT   NOT NULL UNIQUE,
    name          TEXT   NOT NULL,
    deadline_days BIGINT NOT NULL,
    urgent_hours  BIGINT NOT NULL,
    active        BIGINT NOT NULL,
    created_at    BIGINT NOT NULL
);

-- 派单规则: category × territory → default handler; the longest scope wins.
CREATE TABLE case_routes (
    id           INTEGER PRIMARY KEY,
    category_id  BIGINT NOT NULL REFERENCES case_categories(id),
    scope        TEXT   NOT NULL,
    handler_kind TEXT   NOT NULL,
    handler_name TEXT   NOT NULL,
    created_at   BIGINT NOT NULL,
    UNIQUE (category_id, scope)
);

-- 节假日: the days that differ from Monday–Friday (holiday / 调休 workday).
CREATE TABLE calendar_days (
    day  TEXT NOT NULL PRIMARY KEY,
    kind TEXT NOT NULL,
    name TEXT NOT NULL
);

-- one sequence a day for the case numbers (2026112200017)
CREATE TABLE case_counters (
    day BIGINT NOT NULL PRIMARY KEY,
    n   BIGINT NOT NULL
);

-- Coordinates are WGS-84 in 1e-7 degrees. The reporter's contact is
-- sealed like the registry's fields; only its masked form is shown.
CREATE TABLE cases (
    id               INTEGER PRIMARY KEY,
    number           TEXT   NOT NULL UNIQUE,
    community_code   TEXT   NOT NULL,
    scope            TEXT   NOT NULL,
    grid_id          BIGINT REFERENCES grids(id),
    category_id      BIGINT NOT NULL REFERENCES case_categories(id),
    kind             TEXT   NOT NULL,
    channel          TEXT   NOT NULL,
    priority         TEXT   NOT NULL,
    state            TEXT   NOT NULL,
    description      TEXT   NOT NULL,
    address          TEXT   NOT NULL,
    lng_e7           BIGINT,
    lat_e7           BIGINT,
    dwelling_id      BIGINT REFERENCES dwellings(id),
    reporter_id      BIGINT REFERENCES users(id),
    reporter_name    TEXT   NOT NULL,
    contact_sealed   TEXT,
    contact_masked   TEXT,
    handler_kind     TEXT,
    handler_name     TEXT,
    handler_user_id  BIGINT REFERENCES users(id),
    merged_into      BIGINT REFERENCES cases(id),
    due_at           BIGINT,
    accepted_at      BIGINT,
    closed_at        BIGINT,
    dispatches       BIGINT NOT NULL,
    handlings        BIGINT NOT NULL,
    closings         BIGINT NOT NULL,
    reworks          BIGINT NOT NULL,
    reopens          BIGINT NOT NULL,
    postponements    BIGINT NOT NULL,
    rating           TEXT,
    rating_comment   TEXT,
    rated_at         BIGINT,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);
CREATE INDEX cases_scope ON cases (scope, id);
CREATE INDEX cases_reporter ON cases (reporter_id, id);
CREATE INDEX cases_handler ON cases (handler_user_id, id);
CREATE INDEX cases_open_due ON cases (state, due_at);

-- 时间线: every step, append-only.
CREATE TABLE case_events (
    id          INTEGER PRIMARY KEY,
    case_id     BIGINT NOT NULL REFERENCES cases(id),
    step        TEXT   NOT NULL,
    from_state  TEXT,
    to_state    TEXT   NOT NULL,
    actor_id    BIGINT,
    actor_name  TEXT   NOT NULL,
    note        TEXT   NOT NULL,
    public      BIGINT NOT NULL,
    at          BIGINT NOT NULL
);
CREATE INDEX case_events_case ON case_events (case_id, id);
CREATE TRIGGER case_events_no_update BEFORE UPDATE ON case_events
BEGIN SELECT RAISE(ABORT, 'case_events is append-only'); END;
CREATE TRIGGER case_events_no_delete BEFORE DELETE ON case_events
BEGIN SELECT RAISE(ABORT, 'case_events is append-only'); END;

-- Idempotency-Key: the SM3 of (caller, key) names the case it created.
CREATE TABLE case_idempotency (
    key_hash   TEXT   NOT NULL PRIMARY KEY,
    case_id    BIGINT NOT NULL REFERENCES cases(id),
    created_at BIGINT NOT NULL
);

-- Roll-ups maintained at write time (domain::cases::Counter): every step
-- adds its counts to each territory node above the case (grid, parent
-- grids, community, street, county, city, province, country: `scope` is
-- the node's significant code prefix, `depth` its length) and China day
-- (yyyymmdd), once in total and once per category, channel and handler
-- (`dim`, `dim_key`). A dashboard reads one node's rows, never a scan:
-- its size depends on days and categories, not on how many cases there are.
CREATE TABLE case_stats (
    scope              TEXT   NOT NULL,
    depth              BIGINT NOT NULL,
    dim                TEXT   NOT NULL,
    dim_key            TEXT   NOT NULL,
    day                BIGINT NOT NULL,
    received           BIGINT NOT NULL DEFAULT 0,
    valid              BIGINT NOT NULL DEFAULT 0,
    registered         BIGINT NOT NULL DEFAULT 0,
    cancelled          BIGINT NOT NULL DEFAULT 0,
    to_dispatch        BIGINT NOT NULL DEFAULT 0,
    dispatched         BIGINT NOT NULL DEFAULT 0,
    dispatched_on_time BIGINT NOT NULL DEFAULT 0,
    to_handle          BIGINT NOT NULL DEFAULT 0,
    handled            BIGINT NOT NULL DEFAULT 0,
    handled_on_time    BIGINT NOT NULL DEFAULT 0,
    reworked           BIGINT NOT NULL DEFAULT 0,
    to_close           BIGINT NOT NULL DEFAULT 0,
    closed             BIGINT NOT NULL DEFAULT 0,
    closed_on_time     BIGINT NOT NULL DEFAULT 0,
    postponed          BIGINT NOT NULL DEFAULT 0,
    responded_in_time  BIGINT NOT NULL DEFAULT 0,
    resolved           BIGINT NOT NULL DEFAULT 0,
    satisfied          BIGINT NOT NULL DEFAULT 0,
    fairly_satisfied   BIGINT NOT NULL DEFAULT 0,
    dissatisfied       BIGINT NOT NULL DEFAULT 0,
    first_time         BIGINT NOT NULL DEFAULT 0,
    reopened           BIGINT NOT NULL DEFAULT 0,
    on_spot            BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (dim, scope, day, dim_key)
);
-- a node's children (a street's communities, a community's grids)
CREATE INDEX case_stats_children ON case_stats (dim, depth, scope, day);

-- The categories a new deployment starts with (digital-city events after
-- GB/T 30428 and the community's own); communities edit and add to them.
INSERT INTO case_categories (parent_id, code, name, deadline_days, urgent_hours, active, created_at) VALUES
    (NULL, '01', '市容环境', 5, 24, 1, 0),
    (NULL, '02', '宣传广告', 3, 24, 1, 0),
    (NULL, '03', '施工管理', 3, 12, 1, 0),
    (NULL, '04', '突发事件', 1, 2, 1, 0),
    (NULL, '05', '街面秩序', 3, 12, 1, 0),
    (NULL, '10', '社区事务', 5, 24, 1, 0);
INSERT INTO case_categories (parent_id, code, name, deadline_days, urgent_hours, active, created_at)
    SELECT p.id, v.column1, v.column2, p.deadline_days, p.urgent_hours, 1, 0
    FROM case_categories p, (VALUES
        ('0101', '私搭乱建'),
        ('0102', '暴露垃圾'),
        ('0103', '积存垃圾渣土'),
        ('0104', '道路不洁'),
        ('0105', '绿地脏乱')
    ) AS v WHERE p.code = '01';
INSERT INTO case_categories (parent_id, code, name, deadline_days, urgent_hours, active, created_at)
    SELECT p.id, v.column1, v.column2, p.deadline_days, p.urgent_hours, 1, 0
    FROM case_categories p, (VALUES
        ('0201', '非法小广告'),
        ('0202', '违规户外广告')
    ) AS v WHERE p.code = '02';
INSERT INTO case_categories (parent_id, code, name, deadline_days, urgent_hours, active, created_at)
    SELECT p.id, v.column1, v.column2, p.deadline_days, p.urgent_hours, 1, 0
    FROM case_categories p, (VALUES
        ('0301', '施工扰民'),
        ('0302', '工地扬尘'),
        ('0303', '道路遗撒')
    ) AS v WHERE p.code = '03';
INSERT INTO case_categories (parent_id, code, name, deadline_days, urgent_hours, active, created_at)
    SELECT p.id, v.column1, v.column2, p.deadline_days, p.urgent_hours, 1, 0
    FROM case_categories p, (VALUES
        ('0401', '路面塌陷'),
        ('0402', '自来水管破裂'),
        ('0403', '燃气泄漏'),
        ('0404', '下水道堵塞或破损')
    ) AS v WHERE p.code = '04';
INSERT INTO case_categories (parent_id, code, name, deadline_days, urgent_hours, active, created_at)
    SELECT p.id, v.column1, v.column2, p.deadline_days, p.urgent_hours, 1, 0
    FROM case_categories p, (VALUES
        ('0501', '无照经营游商'),
        ('0502', '占道经营'),
        ('0503', '乱堆物堆料'),
        ('0504', '机动车乱停放')
    ) AS v WHERE p.code = '05';
INSERT INTO case_categories (parent_id, code, name, deadline_days, urgent_hours, active, created_at)
    SELECT p.id, v.column1, v.column2, p.deadline_days, p.urgent_hours, 1, 0
    FROM case_categories p, (VALUES
        ('1001', '邻里纠纷'),
        ('1002', '物业服务'),
        ('1003', '停车管理'),
        ('1004', '加装电梯'),
        ('1005', '养老服务'),
        ('1006', '垃圾分类'),
        ('1007', '其他')
    ) AS v WHERE p.code = '10';
