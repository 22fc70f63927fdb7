-- 民筹 (issue 22): how a decided cost is shared among the owners of a
-- vote's scope — by a coefficient per floor or by area, each dwelling's
-- share in 分 (they sum to the owners' part exactly), the funding apart
-- from the owners (政府补贴, 维修资金, a partner unit's gift), and who has
-- paid (art. 281: published). Kept in lock-step with ../sqlite/0025_cost_shares.sql.
CREATE TABLE cost_plans (
    vote_id      BIGINT PRIMARY KEY REFERENCES owner_votes(id),
    basis        TEXT   NOT NULL,
    coefficients TEXT   NOT NULL,
    owners_fen   BIGINT NOT NULL,
    created_by   BIGINT NOT NULL,
    created_at   BIGINT NOT NULL
);

CREATE TABLE cost_funding (
    vote_id    BIGINT NOT NULL REFERENCES cost_plans(vote_id),
    n          BIGINT NOT NULL,
    label      TEXT   NOT NULL,
    amount_fen BIGINT NOT NULL,
    PRIMARY KEY (vote_id, n)
);

CREATE TABLE cost_shares (
    vote_id     BIGINT NOT NULL REFERENCES cost_plans(vote_id),
    dwelling_id BIGINT NOT NULL REFERENCES dwellings(id),
    label       TEXT   NOT NULL,
    floor       BIGINT NOT NULL,
    owner_key   TEXT   NOT NULL,
    weight      BIGINT NOT NULL,
    share_fen   BIGINT NOT NULL,
    paid_at     BIGINT,
    PRIMARY KEY (vote_id, dwelling_id)
);
CREATE INDEX cost_shares_owner ON cost_shares (owner_key);
