-- A notice's pictures (issue 19): re-encoded like case photos (no EXIF,
-- at most 2048 px) and kept in the object store under notices/.
-- Kept in lock-step with ../postgres/0022_notice_images.sql.
CREATE TABLE notice_images (
    id         INTEGER PRIMARY KEY,
    notice_id  BIGINT NOT NULL REFERENCES notices(id) ON DELETE CASCADE,
    object_key TEXT   NOT NULL,
    bytes      BIGINT NOT NULL,
    width      BIGINT NOT NULL,
    height     BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX notice_images_notice ON notice_images (notice_id, id);
