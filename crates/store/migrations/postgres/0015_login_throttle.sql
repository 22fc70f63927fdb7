-- Failed logins are counted per (name, source address), for names that
-- exist and names that do not alike (issue 17): the answers never tell
-- whether an account exists, and an attacker locks out only their own
-- address, never the staff member at theirs. Each lockout doubles the
-- next (backoff) until a login succeeds. `name` is kept so a security
-- administrator can see and clear the locks on an account.
CREATE TABLE login_throttle (
    key          TEXT   NOT NULL PRIMARY KEY,
    name         TEXT   NOT NULL,
    failures     BIGINT NOT NULL,
    lockouts     BIGINT NOT NULL,
    locked_until BIGINT,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX login_throttle_name ON login_throttle (name);
