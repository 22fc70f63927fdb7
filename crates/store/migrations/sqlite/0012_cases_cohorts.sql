-- Dashboard figures as shares of one set of cases (issue: figures that are
-- true). Every count of a case now belongs to the day it was received,
-- under its current category, channel and handler; the counts a case has
-- added so far are kept beside it, so they can move when those change.
ALTER TABLE case_stats ADD COLUMN excused_closed BIGINT NOT NULL DEFAULT 0;
ALTER TABLE case_stats ADD COLUMN excused_closed_on_time BIGINT NOT NULL DEFAULT 0;

CREATE TABLE case_tallies (
    case_id BIGINT NOT NULL PRIMARY KEY REFERENCES cases(id),
    counts  TEXT   NOT NULL
);

-- the deadline in force after each step, so a recount from the timeline
-- alone can tell whether a handling or closing was on time
ALTER TABLE case_events ADD COLUMN due_at BIGINT;
