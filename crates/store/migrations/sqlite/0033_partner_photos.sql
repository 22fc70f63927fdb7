-- Pictures of the partnership (issue 24): the scanned pages of a signed
-- 共建协议 and the photos a project's progress is logged with — re-encoded
-- like case photos (no EXIF, at most 2048 px) and kept in the object store
-- under partners/. `owner_kind` is `agreement` or `progress`. Kept in
-- lock-step with ../postgres/0033_partner_photos.sql.
CREATE TABLE partner_photos (
    id         INTEGER PRIMARY KEY,
    owner_kind TEXT   NOT NULL,
    owner_id   BIGINT NOT NULL,
    object_key TEXT   NOT NULL,
    bytes      BIGINT NOT NULL,
    width      BIGINT NOT NULL,
    height     BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX partner_photos_owner ON partner_photos (owner_kind, owner_id, id);
