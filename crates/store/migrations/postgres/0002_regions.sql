-- 行政区划: the administrative tree 省→市→区县→街道乡镇→社区村, imported from
-- the national statistical division codes. code is the full 12-digit code.
CREATE TABLE regions (
    code        TEXT   PRIMARY KEY,
    name        TEXT   NOT NULL,
    level       BIGINT NOT NULL,
    parent_code TEXT
);
CREATE INDEX regions_parent ON regions (parent_code);
