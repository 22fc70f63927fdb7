-- The places below a community and the party network bound to them.
-- Kept in lock-step with ../postgres/0003_places.sql (checked by a test).
-- Geometry is GeoJSON text in WGS-84; points are lng/lat columns.

-- Outlines of administrative regions (a community's boundary), when known.
CREATE TABLE region_shapes (
    code       TEXT   PRIMARY KEY,
    boundary   TEXT   NOT NULL,
    updated_at BIGINT NOT NULL
);

-- 网格: code = parent's code + 3 digits (see domain::places).
CREATE TABLE grids (
    id             INTEGER PRIMARY KEY,
    code           TEXT   NOT NULL UNIQUE,
    community_code TEXT   NOT NULL,
    parent_id      BIGINT REFERENCES grids(id),
    name           TEXT   NOT NULL,
    boundary       TEXT,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);
CREATE INDEX grids_community ON grids (community_code);
CREATE INDEX grids_parent ON grids (parent_id);

-- 小区
CREATE TABLE estates (
    id             INTEGER PRIMARY KEY,
    community_code TEXT   NOT NULL,
    name           TEXT   NOT NULL,
    address        TEXT,
    created_at     BIGINT NOT NULL,
    UNIQUE (community_code, name)
);

-- 楼栋: in an estate; in the leaf grid that contains its point (NULL when none does).
CREATE TABLE buildings (
    id             INTEGER PRIMARY KEY,
    estate_id      BIGINT NOT NULL REFERENCES estates(id),
    community_code TEXT   NOT NULL,
    grid_id        BIGINT REFERENCES grids(id),
    name           TEXT   NOT NULL,
    lng            REAL,
    lat            REAL,
    floors         BIGINT,
    created_at     BIGINT NOT NULL,
    UNIQUE (estate_id, name)
);
CREATE INDEX buildings_community ON buildings (community_code);
CREATE INDEX buildings_grid ON buildings (grid_id);

-- 单元
CREATE TABLE units (
    id          INTEGER PRIMARY KEY,
    building_id BIGINT NOT NULL REFERENCES buildings(id),
    name        TEXT   NOT NULL,
    UNIQUE (building_id, name)
);

-- 户
CREATE TABLE dwellings (
    id      INTEGER PRIMARY KEY,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    floor   BIGINT NOT NULL,
    room    TEXT   NOT NULL,
    area_m2 REAL,
    UNIQUE (unit_id, room)
);

-- 党组织: bound to a node (node_id NULL for the community itself).
CREATE TABLE party_orgs (
    id             INTEGER PRIMARY KEY,
    community_code TEXT   NOT NULL,
    parent_id      BIGINT REFERENCES party_orgs(id),
    kind           TEXT   NOT NULL,
    name           TEXT   NOT NULL,
    node_kind      TEXT   NOT NULL,
    node_id        BIGINT,
    created_at     BIGINT NOT NULL
);
CREATE INDEX party_orgs_community ON party_orgs (community_code);

-- 岗位: a person on a node for a period (dates YYYY-MM-DD).
CREATE TABLE posts (
    id             INTEGER PRIMARY KEY,
    community_code TEXT   NOT NULL,
    post           TEXT   NOT NULL,
    node_kind      TEXT   NOT NULL,
    node_id        BIGINT,
    person_name    TEXT   NOT NULL,
    user_id        BIGINT REFERENCES users(id),
    unit_name      TEXT,
    start_date     TEXT   NOT NULL,
    end_date       TEXT,
    created_at     BIGINT NOT NULL
);
CREATE INDEX posts_community ON posts (community_code);
