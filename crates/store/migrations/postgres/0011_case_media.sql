-- Open311 media_url: a link to media a partner's system keeps for the
-- request; stored and echoed, never fetched by the server.
-- Kept in lock-step with ../sqlite/0011_case_media.sql (checked by a test).
ALTER TABLE cases ADD COLUMN media_url TEXT;
