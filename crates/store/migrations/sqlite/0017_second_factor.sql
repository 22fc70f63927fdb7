-- Two-factor login (issue 17): a TOTP secret per account (RFC 6238),
-- sealed like personal fields; the step last accepted, so a code is taken
-- once; recovery codes kept only as hashes; and a session that has passed
-- the password but not yet the second factor.
ALTER TABLE users ADD COLUMN totp_sealed TEXT;
ALTER TABLE users ADD COLUMN totp_pending TEXT;
ALTER TABLE users ADD COLUMN totp_last_step BIGINT NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN pending_second BIGINT NOT NULL DEFAULT 0;
CREATE TABLE recovery_codes (
    id        INTEGER PRIMARY KEY,
    user_id   BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    code_hash TEXT   NOT NULL,
    used_at   BIGINT
);
CREATE INDEX recovery_codes_user ON recovery_codes (user_id);
