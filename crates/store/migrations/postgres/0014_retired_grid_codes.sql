-- A grid code is never issued twice (issue 17): a deleted or moved grid's
-- code is kept here, so a new grid gets a fresh one and no grant, case or
-- export that named the old grid silently covers the new.
CREATE TABLE retired_grid_codes (
    code       TEXT   NOT NULL PRIMARY KEY,
    retired_at BIGINT NOT NULL
);
