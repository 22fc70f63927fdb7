-- 长辈版 (issue 19): larger type and targets, remembered per account.
ALTER TABLE users ADD COLUMN elder_mode BIGINT NOT NULL DEFAULT 0;
