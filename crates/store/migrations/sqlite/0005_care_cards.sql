-- 防走失二维码: cards issued to residents (seed 002), their scans, and the
-- in-app notifications they raise. Kept in lock-step with ../postgres/0005_care_cards.sql.
-- Only the SM3 hash of a card's token is stored; the token itself is
-- printed on the card and shown once, when the card is issued.

CREATE TABLE care_cards (
    id                    INTEGER PRIMARY KEY,
    resident_id           BIGINT NOT NULL REFERENCES residents(id) ON DELETE CASCADE,
    community_code        TEXT   NOT NULL,
    token_hash            TEXT   NOT NULL UNIQUE,
    guardian_name         TEXT   NOT NULL,
    guardian_phone_sealed TEXT   NOT NULL,
    guardian_phone_masked TEXT   NOT NULL,
    guardian_user_id      BIGINT REFERENCES users(id),
    hotline               TEXT   NOT NULL,
    medical_consent       BIGINT NOT NULL,
    issued_by             BIGINT,
    issued_at             BIGINT NOT NULL,
    revoked_at            BIGINT
);
CREATE INDEX care_cards_resident ON care_cards (resident_id);

CREATE TABLE care_card_scans (
    id       INTEGER PRIMARY KEY,
    card_id  BIGINT NOT NULL REFERENCES care_cards(id) ON DELETE CASCADE,
    at       BIGINT NOT NULL,
    revealed BIGINT NOT NULL,
    -- coarse place (3 decimals, ~100 m) only when the scanner shares it
    lng      REAL,
    lat      REAL
);
CREATE INDEX care_card_scans_card ON care_card_scans (card_id, at);

-- 站内消息
CREATE TABLE notifications (
    id         INTEGER PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind       TEXT   NOT NULL,
    title      TEXT   NOT NULL,
    body       TEXT   NOT NULL,
    link       TEXT,
    created_at BIGINT NOT NULL,
    read_at    BIGINT
);
CREATE INDEX notifications_user ON notifications (user_id, id);
