-- The hours and points a community credits per China day, kept at write
-- time with each transfer that touches its issuing account (a correction
-- subtracts), so the figures of a street for a year read a few hundred
-- rows instead of every entry; `linli check` recounts them from the
-- ledger. Kept in lock-step with ../postgres/0030_ledger_daily.sql.
CREATE TABLE ledger_daily (
    community_code TEXT   NOT NULL,
    day            TEXT   NOT NULL,
    unit           TEXT   NOT NULL,
    amount         BIGINT NOT NULL,
    PRIMARY KEY (community_code, day, unit)
);
