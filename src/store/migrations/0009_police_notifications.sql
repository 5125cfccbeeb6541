-- Police notifications (POST /notifications). One row per (force, reference): a retry of
-- the same submission finds it and changes nothing; a changed re-submission becomes a new
-- version and the previous one is kept in police_notification_versions.
CREATE TABLE police_notifications (
  id            text PRIMARY KEY,
  force         text NOT NULL,
  reference     text NOT NULL,
  type          text NOT NULL,
  owner         text NOT NULL,
  version       integer NOT NULL,
  -- sha-256 of the canonical submission: equal means a retry.
  content_hash  text NOT NULL,
  -- The canonical notification; in pseudonymised mode only who and where, the rest in `sealed`.
  record        jsonb NOT NULL,
  sealed        jsonb,
  status        text NOT NULL CHECK (status IN ('received', 'routed', 'unroutable')),
  -- The receipt returned to the force, kept so a retry returns it unchanged.
  receipt       jsonb NOT NULL,
  received_at   timestamptz NOT NULL,
  updated_at    timestamptz NOT NULL,
  UNIQUE (force, reference)
);
CREATE INDEX police_notifications_force_updated ON police_notifications (force, updated_at);

CREATE TABLE police_notification_versions (
  notification_id text NOT NULL REFERENCES police_notifications (id),
  version         integer NOT NULL,
  content_hash    text NOT NULL,
  record          jsonb NOT NULL,
  sealed          jsonb,
  received_at     timestamptz NOT NULL,
  PRIMARY KEY (notification_id, version)
);

-- The people a notification is about or names, as resolved in the person index.
CREATE TABLE notification_people (
  notification_id text NOT NULL REFERENCES police_notifications (id),
  person_id       text NOT NULL REFERENCES persons (id),
  roles           text[] NOT NULL,
  occurred_at     timestamptz NOT NULL,
  PRIMARY KEY (notification_id, person_id)
);
CREATE INDEX notification_people_person ON notification_people (person_id, occurred_at);

-- Where a notification went: the responsible LA, the school (Operation Encompass), or back
-- to the force's own MASH when it could not be routed. `viewed_at` is the first time the
-- recipient read it.
CREATE TABLE notification_routes (
  notification_id   text NOT NULL REFERENCES police_notifications (id),
  version           integer NOT NULL,
  recipient         text NOT NULL REFERENCES agencies (id),
  kind              text NOT NULL CHECK (kind IN ('local-authority', 'school', 'unroutable')),
  person_id         text REFERENCES persons (id),
  basis             text NOT NULL,
  communication_id  text NOT NULL REFERENCES communications (id),
  made_available_at timestamptz NOT NULL,
  -- Encompass: the start of the school day it had to beat, and whether it did.
  school_day_start  timestamptz,
  before_school_day boolean,
  viewed_at         timestamptz,
  PRIMARY KEY (notification_id, version, recipient, kind, communication_id)
);
CREATE INDEX notification_routes_communication ON notification_routes (communication_id);

-- Webhook deliveries, written in the transaction that creates what they announce, so a
-- crash can neither lose one nor send one for something that was rolled back.
CREATE TABLE webhook_outbox (
  id               bigserial PRIMARY KEY,
  recipient        text NOT NULL REFERENCES agencies (id),
  communication_id text NOT NULL REFERENCES communications (id),
  event            jsonb NOT NULL,
  created_at       timestamptz NOT NULL,
  attempts         integer NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL,
  delivered_at     timestamptz,
  last_error       text,
  UNIQUE (recipient, communication_id)
);
CREATE INDEX webhook_outbox_pending ON webhook_outbox (next_attempt_at) WHERE delivered_at IS NULL;
