-- 个人信息权利 (PIPL arts. 44–47): a resident's own account, and the
-- corrections residents ask for. Kept in lock-step with ../postgres/0006_pipl.sql.

-- 本人账号: the account a resident signs in with, bound by staff.
CREATE TABLE resident_accounts (
    user_id     BIGINT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    resident_id BIGINT NOT NULL UNIQUE REFERENCES residents(id) ON DELETE CASCADE,
    created_at  BIGINT NOT NULL
);

-- 更正申请: the asked-for value is sealed like the registry's fields.
CREATE TABLE correction_requests (
    id           INTEGER PRIMARY KEY,
    resident_id  BIGINT NOT NULL REFERENCES residents(id) ON DELETE CASCADE,
    user_id      BIGINT NOT NULL REFERENCES users(id),
    field        TEXT   NOT NULL,
    value_sealed TEXT   NOT NULL,
    note         TEXT   NOT NULL,
    status       TEXT   NOT NULL,
    created_at   BIGINT NOT NULL,
    resolved_by  BIGINT,
    resolved_at  BIGINT,
    resolution   TEXT
);
CREATE INDEX correction_requests_resident ON correction_requests (resident_id);
CREATE INDEX correction_requests_status ON correction_requests (status, id);
