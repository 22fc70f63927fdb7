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

-- The ledger is append-only: a correction is a reversing transfer, never an
-- edit; a transfer is reversed once.
CREATE TRIGGER ledger_transfers_no_update BEFORE UPDATE ON ledger_transfers
BEGIN SELECT RAISE(ABORT, 'ledger_transfers is append-only'); END;
CREATE TRIGGER ledger_transfers_no_delete BEFORE DELETE ON ledger_transfers
BEGIN SELECT RAISE(ABORT, 'ledger_transfers is append-only'); END;
CREATE TRIGGER ledger_entries_no_update BEFORE UPDATE ON ledger_entries
BEGIN SELECT RAISE(ABORT, 'ledger_entries is append-only'); END;
CREATE TRIGGER ledger_entries_no_delete BEFORE DELETE ON ledger_entries
BEGIN SELECT RAISE(ABORT, 'ledger_entries is append-only'); END;
CREATE UNIQUE INDEX ledger_transfers_reversed_once ON ledger_transfers (reverses) WHERE reverses IS NOT NULL;
