-- 志愿服务记录证明 (issue 23; 民政部令第67号: 谁记录谁证明, the 居委会
-- issues): each certificate keeps what it certified at issue — the hours in
-- minutes — under a random serial that its public check page is found by.
-- Kept in lock-step with ../postgres/0031_certificates.sql.
CREATE TABLE volunteer_certificates (
    id           INTEGER PRIMARY KEY,
    serial       TEXT   NOT NULL UNIQUE,
    volunteer_id BIGINT NOT NULL REFERENCES volunteers(id),
    minutes      BIGINT NOT NULL,
    issued_at    BIGINT NOT NULL,
    revoked_at   BIGINT
);
CREATE INDEX volunteer_certificates_volunteer ON volunteer_certificates (volunteer_id, id);
