-- Canonical records other than people and protection plans: attendances, case events,
-- relationships and consents. One row per record, keyed by its deterministic id, so a
-- re-sent message updates rather than duplicates.
CREATE TABLE canonical_records (
  id          text PRIMARY KEY,
  type        text NOT NULL CHECK (type IN ('Attendance', 'CaseEvent', 'Relationship', 'Consent')),
  person_id   text NOT NULL REFERENCES persons (id),
  owner       text NOT NULL,
  record      jsonb NOT NULL,
  -- Canonical JSON of the record without provenance and lineage: a re-sent record whose
  -- substance is the same is left alone ("unchanged") in one statement.
  substance   text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX canonical_records_person ON canonical_records (person_id, type);
