-- Photos on a case: the reporter's (随手拍) and the handler's result. The
-- image itself lives in the object store under object_key (re-encoded,
-- without EXIF/GPS); the row ties it to the timeline event that added it.
-- Kept in lock-step with ../postgres/0009_case_photos.sql (checked by a test).
CREATE TABLE case_photos (
    id         INTEGER PRIMARY KEY,
    case_id    BIGINT NOT NULL REFERENCES cases(id),
    event_id   BIGINT NOT NULL REFERENCES case_events(id),
    stage      TEXT   NOT NULL,
    object_key TEXT   NOT NULL,
    bytes      BIGINT NOT NULL,
    width      BIGINT NOT NULL,
    height     BIGINT NOT NULL,
    sm3        TEXT   NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX case_photos_case ON case_photos (case_id, id);
