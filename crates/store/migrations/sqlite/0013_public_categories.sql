-- Open311 publishes only what is public by nature (issue 17): categories
-- about public space are marked, and only 随手拍 and 建议 under them, linked
-- to no dwelling, are listed. Categories about people or homes (私搭乱建,
-- 燃气泄漏, 无照经营, 邻里纠纷, 物业服务 …) stay unmarked.
ALTER TABLE case_categories ADD COLUMN public BIGINT NOT NULL DEFAULT 0;
UPDATE case_categories SET public = 1
WHERE code IN ('0102', '0103', '0104', '0105', '0201', '0302', '0303', '0401', '0402', '0404', '0503');
