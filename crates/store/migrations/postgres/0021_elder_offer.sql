-- 长辈版 is offered once to residents of 60 and over (issue 19): whether the
-- account has been asked (or chose either way itself).
ALTER TABLE users ADD COLUMN elder_offered BIGINT NOT NULL DEFAULT 0;
