-- The care card's guardian step (issue 17): the guardian is shown by
-- relation (女儿, 儿子 …), not name; the human check asks for the four
-- digits printed beside the QR code (kept only as a hash), and every check
-- is single-use and counted, so a card shows its guardian's phone only a
-- few times an hour whoever asks. Cards issued before keep the sum question.
ALTER TABLE care_cards ADD COLUMN guardian_relation TEXT NOT NULL DEFAULT '家属';
ALTER TABLE care_cards ADD COLUMN check_hash TEXT;
CREATE TABLE care_card_checks (
    nonce   TEXT   NOT NULL PRIMARY KEY,
    card_id BIGINT NOT NULL REFERENCES care_cards(id) ON DELETE CASCADE,
    at      BIGINT NOT NULL,
    passed  BIGINT NOT NULL
);
CREATE INDEX care_card_checks_card ON care_card_checks (card_id, at);
