-- linli foundation: accounts, role grants, sessions, access tokens, audit log.
-- Kept in lock-step with ../postgres/0001_foundation.sql (checked by a test).
-- Instants are unix milliseconds (BIGINT); flags are 0/1 integers.

CREATE TABLE users (
    id                   INTEGER PRIMARY KEY,
    username             TEXT    NOT NULL UNIQUE,
    display_name         TEXT    NOT NULL,
    password_hash        TEXT    NOT NULL,
    disabled             BIGINT  NOT NULL DEFAULT 0,
    must_change_password BIGINT  NOT NULL DEFAULT 0,
    failed_logins        BIGINT  NOT NULL DEFAULT 0,
    locked_until         BIGINT,
    password_changed_at  BIGINT  NOT NULL,
    last_login_at        BIGINT,
    created_at           BIGINT  NOT NULL
);

-- A role granted on a territory node. scope_code is the node's 12-digit
-- statistical code; the territory module attaches real nodes later.
CREATE TABLE role_grants (
    id         INTEGER PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role       TEXT   NOT NULL,
    scope_code TEXT   NOT NULL,
    granted_by BIGINT REFERENCES users(id),
    granted_at BIGINT NOT NULL,
    UNIQUE (user_id, role, scope_code)
);

-- Server-side sessions. The cookie holds the session secret; only its SM3
-- hash is stored, so a copy of the database cannot be used to log in.
CREATE TABLE sessions (
    id_hash      TEXT   PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Personal access tokens for API clients, hashed at rest.
CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name         TEXT   NOT NULL,
    token_hash   TEXT   NOT NULL UNIQUE,
    token_prefix TEXT   NOT NULL,
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at   BIGINT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- Append-only audit log with a hash chain (see domain::audit).
CREATE TABLE audit_log (
    seq        BIGINT PRIMARY KEY,
    at         BIGINT NOT NULL,
    actor_id   BIGINT,
    actor_name TEXT   NOT NULL,
    action     TEXT   NOT NULL,
    object     TEXT   NOT NULL,
    outcome    TEXT   NOT NULL,
    source     TEXT   NOT NULL,
    detail     TEXT   NOT NULL,
    prev_hash  TEXT   NOT NULL,
    hash       TEXT   NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at);

-- The chain head: last sequence number and hash. Appends lock this row
-- first, which serialises them on both databases.
CREATE TABLE audit_head (
    id        BIGINT PRIMARY KEY CHECK (id = 1),
    last_seq  BIGINT NOT NULL,
    last_hash TEXT   NOT NULL
);
INSERT INTO audit_head (id, last_seq, last_hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
