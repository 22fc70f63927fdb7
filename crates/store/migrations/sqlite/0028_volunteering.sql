-- 志愿服务 (issue 23): volunteers and 双报到 members, teams, 三单制 service
-- orders with their steps, activities with sign-ups and check-ins, the
-- double-entry ledger of hours and points, and the points shelf. Kept in
-- lock-step with ../postgres/0028_volunteering.sql.
CREATE TABLE volunteer_teams (
    id             INTEGER PRIMARY KEY,
    community_code TEXT   NOT NULL,
    name           TEXT   NOT NULL,
    leader_name    TEXT   NOT NULL,
    UNIQUE (community_code, name)
);

-- a volunteer: a person in a community, with an account when they have one;
-- a party member reporting in (双报到) names their employer's organisation,
-- the community places them in a grid (进一网), they claim a post (认一岗)
-- and are paired with a household (联一户)
CREATE TABLE volunteers (
    id                 INTEGER PRIMARY KEY,
    user_id            BIGINT UNIQUE,
    community_code     TEXT   NOT NULL,
    name               TEXT   NOT NULL,
    skills             TEXT   NOT NULL,
    team_id            BIGINT REFERENCES volunteer_teams(id),
    party_member       BIGINT NOT NULL,
    employer_org       TEXT,
    grid_code          TEXT,
    post               TEXT,
    paired_resident_id BIGINT,
    paired_label       TEXT,
    target_minutes     BIGINT NOT NULL,
    joined_at          BIGINT NOT NULL
);
CREATE INDEX volunteers_community ON volunteers (community_code, id);

CREATE TABLE service_orders (
    id              INTEGER PRIMARY KEY,
    community_code  TEXT   NOT NULL,
    requester_user  BIGINT NOT NULL,
    requester_name  TEXT   NOT NULL,
    place           TEXT   NOT NULL,
    area            TEXT   NOT NULL,
    contact_sealed  TEXT,
    service         TEXT   NOT NULL,
    body            TEXT   NOT NULL,
    state           TEXT   NOT NULL,
    assignee_id     BIGINT REFERENCES volunteers(id),
    minutes         BIGINT,
    done_note       TEXT,
    rating          TEXT,
    rating_note     TEXT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX service_orders_community ON service_orders (community_code, id);
CREATE INDEX service_orders_requester ON service_orders (requester_user, id);
CREATE INDEX service_orders_assignee ON service_orders (assignee_id, id);

CREATE TABLE service_order_steps (
    id         INTEGER PRIMARY KEY,
    order_id   BIGINT NOT NULL REFERENCES service_orders(id),
    action     TEXT   NOT NULL,
    actor_user BIGINT NOT NULL,
    actor_name TEXT   NOT NULL,
    note       TEXT   NOT NULL,
    at         BIGINT NOT NULL
);
CREATE INDEX service_order_steps_order ON service_order_steps (order_id, id);

CREATE TABLE activities (
    id             INTEGER PRIMARY KEY,
    community_code TEXT   NOT NULL,
    title          TEXT   NOT NULL,
    place          TEXT   NOT NULL,
    starts_at      BIGINT NOT NULL,
    ends_at        BIGINT NOT NULL,
    capacity       BIGINT NOT NULL,
    points         BIGINT NOT NULL,
    cap_minutes    BIGINT NOT NULL,
    secret         TEXT   NOT NULL,
    organiser_user BIGINT NOT NULL,
    cancelled      BIGINT NOT NULL,
    created_at     BIGINT NOT NULL
);
CREATE INDEX activities_community ON activities (community_code, starts_at);

-- one line per person and activity: signed up (or on the waiting list),
-- then checked in and out; a walk-in without an account has a name only
CREATE TABLE activity_people (
    id             INTEGER PRIMARY KEY,
    activity_id    BIGINT NOT NULL REFERENCES activities(id),
    volunteer_id   BIGINT REFERENCES volunteers(id),
    name           TEXT   NOT NULL,
    state          TEXT   NOT NULL,
    signed_at      BIGINT NOT NULL,
    in_at          BIGINT,
    out_at         BIGINT,
    credited       BIGINT,
    UNIQUE (activity_id, volunteer_id)
);
CREATE INDEX activity_people_volunteer ON activity_people (volunteer_id, activity_id);

CREATE TABLE ledger_accounts (
    id      INTEGER PRIMARY KEY,
    holder  TEXT   NOT NULL,
    unit    TEXT   NOT NULL,
    balance BIGINT NOT NULL,
    UNIQUE (holder, unit)
);

-- a transfer is written once (idem_key: the same confirmation never
-- credits twice) with its two entries; nothing here is ever updated
CREATE TABLE ledger_transfers (
    id            INTEGER PRIMARY KEY,
    idem_key      TEXT   NOT NULL UNIQUE,
    unit          TEXT   NOT NULL,
    amount        BIGINT NOT NULL CHECK (amount > 0),
    from_account  BIGINT NOT NULL REFERENCES ledger_accounts(id),
    to_account    BIGINT NOT NULL REFERENCES ledger_accounts(id),
    reason        TEXT   NOT NULL,
    source_ref    TEXT   NOT NULL,
    operator_user BIGINT NOT NULL,
    reverses      BIGINT REFERENCES ledger_transfers(id),
    at            BIGINT NOT NULL,
    CHECK (from_account <> to_account)
);
CREATE INDEX ledger_transfers_source ON ledger_transfers (source_ref);

CREATE TABLE ledger_entries (
    id          INTEGER PRIMARY KEY,
    transfer_id BIGINT NOT NULL REFERENCES ledger_transfers(id),
    account_id  BIGINT NOT NULL REFERENCES ledger_accounts(id),
    amount      BIGINT NOT NULL CHECK (amount <> 0)
);
CREATE INDEX ledger_entries_account ON ledger_entries (account_id, id);
CREATE INDEX ledger_entries_transfer ON ledger_entries (transfer_id);

CREATE TABLE reward_items (
    id             INTEGER PRIMARY KEY,
    community_code TEXT   NOT NULL,
    name           TEXT   NOT NULL,
    points         BIGINT NOT NULL CHECK (points > 0),
    stock          BIGINT NOT NULL CHECK (stock >= 0),
    UNIQUE (community_code, name)
);

CREATE TABLE redemptions (
    id           INTEGER PRIMARY KEY,
    item_id      BIGINT NOT NULL REFERENCES reward_items(id),
    volunteer_id BIGINT NOT NULL REFERENCES volunteers(id),
    points       BIGINT NOT NULL,
    state        TEXT   NOT NULL,
    transfer_id  BIGINT NOT NULL REFERENCES ledger_transfers(id),
    requested_at BIGINT NOT NULL,
    settled_at   BIGINT,
    settled_by   BIGINT
);
CREATE INDEX redemptions_volunteer ON redemptions (volunteer_id, id);
