-- Foundation schema: agencies, the person index, protection plans, CP-IS access
-- history, notifications (FHIR Communication) and the hash-chained audit log.

CREATE TABLE agencies (
  id          text PRIMARY KEY,
  kind        text NOT NULL,
  name        text NOT NULL,
  record      jsonb NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE persons (
  id          text PRIMARY KEY,
  record      jsonb NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);

-- One row per identifier; (system, value) names at most one person.
CREATE TABLE person_identifiers (
  system               text NOT NULL,
  value                text NOT NULL,
  person_id            text NOT NULL REFERENCES persons (id),
  verification_status  text,
  PRIMARY KEY (system, value)
);
CREATE INDEX person_identifiers_person ON person_identifiers (person_id);

CREATE TABLE protection_plans (
  id          text PRIMARY KEY,
  person_id   text NOT NULL REFERENCES persons (id),
  owner       text NOT NULL REFERENCES agencies (id),
  kind        text NOT NULL CHECK (kind IN ('child-protection-plan', 'looked-after', 'unborn-child-protection-plan')),
  start_date  date NOT NULL,
  end_date    date CHECK (end_date IS NULL OR end_date >= start_date),
  status      text NOT NULL CHECK (status IN ('recorded', 'entered-in-error')),
  record      jsonb NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX protection_plans_person ON protection_plans (person_id);

-- CP-IS access history. `listed` is decided on insert: false when the same user at the
-- same agency accessed the same person in the previous 24 hours.
CREATE TABLE access_events (
  id               text PRIMARY KEY,
  person_id        text NOT NULL REFERENCES persons (id),
  accessor_sub     text NOT NULL,
  accessor_agency  text NOT NULL,
  accessor_role    text NOT NULL,
  purpose          text NOT NULL,
  unscheduled      boolean NOT NULL,
  listed           boolean NOT NULL,
  at               timestamptz NOT NULL
);
CREATE INDEX access_events_listed ON access_events (person_id, at DESC) WHERE listed;
CREATE INDEX access_events_user ON access_events (person_id, accessor_agency, accessor_sub, at DESC);

CREATE TABLE communications (
  id          text PRIMARY KEY,
  recipient   text NOT NULL REFERENCES agencies (id),
  category    text NOT NULL,
  person_id   text REFERENCES persons (id),
  created_at  timestamptz NOT NULL,
  resource    jsonb NOT NULL
);
CREATE INDEX communications_recipient ON communications (recipient, created_at DESC);

-- Append-only, hash-chained audit log. hash = sha256(prev_hash, seq, canonical entry).
CREATE TABLE audit_log (
  seq          bigint PRIMARY KEY,
  recorded_at  timestamptz NOT NULL,
  entry        jsonb NOT NULL,
  prev_hash    text NOT NULL,
  hash         text NOT NULL
);

-- The chain head: last sequence number and hash, updated in the same transaction as
-- each append, so a truncated tail is noticed and appends serialise on this row.
CREATE TABLE audit_head (
  id    boolean PRIMARY KEY DEFAULT true CHECK (id),
  seq   bigint NOT NULL,
  hash  text NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (true, 0, 'genesis');
