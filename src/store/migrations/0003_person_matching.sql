-- Person matching: each agency's view of a person (a source record) links to one person
-- in the index; the person's own record is the merge of its sources. Blocking keys find
-- candidates for the probabilistic model; possible matches wait in a review queue; the
-- manual decisions people make are kept and always win over the model.

CREATE TABLE person_sources (
  id           text PRIMARY KEY,
  owner        text NOT NULL,
  person_id    text NOT NULL REFERENCES persons (id),
  -- The person as this agency last sent them.
  record       jsonb NOT NULL,
  -- How the source came to be on its person: the first of its person, a shared identifier,
  -- a verified NHS number with matching date of birth, the model, or a person's decision.
  link         text NOT NULL CHECK (link IN ('new', 'identifier', 'nhs-number', 'model', 'manual')),
  probability  double precision,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX person_sources_person ON person_sources (person_id);

-- One row per identifier a source sent; person_identifiers stays the index's lookup.
CREATE TABLE person_source_identifiers (
  system     text NOT NULL,
  value      text NOT NULL,
  source_id  text NOT NULL REFERENCES person_sources (id),
  PRIMARY KEY (source_id, system, value)
);
CREATE INDEX person_source_identifiers_value ON person_source_identifiers (system, value);

CREATE TABLE person_blocking_keys (
  key        text NOT NULL,
  source_id  text NOT NULL REFERENCES person_sources (id),
  PRIMARY KEY (key, source_id)
);
CREATE INDEX person_blocking_keys_source ON person_blocking_keys (source_id);

-- A person merged into another keeps its row (history refers to it) and points onwards.
ALTER TABLE persons ADD COLUMN merged_into text REFERENCES persons (id);

CREATE TABLE match_reviews (
  id                   text PRIMARY KEY,
  source_id            text NOT NULL REFERENCES person_sources (id),
  candidate_person_id  text NOT NULL REFERENCES persons (id),
  probability          double precision NOT NULL,
  weight               double precision NOT NULL,
  -- Each comparison's level and weight: why the model thought so (no personal data).
  explanation          jsonb NOT NULL,
  status               text NOT NULL CHECK (status IN ('open', 'linked', 'not-a-match', 'withdrawn')),
  created_at           timestamptz NOT NULL,
  decided_at           timestamptz,
  decided_by           jsonb,
  reason               text
);
CREATE UNIQUE INDEX match_reviews_open_pair ON match_reviews (source_id, candidate_person_id) WHERE status = 'open';
CREATE INDEX match_reviews_status ON match_reviews (status, created_at);

-- Decisions made by people between two source records: link (same person) or
-- not-a-match (never the same person). The model never overrides them.
CREATE TABLE match_decisions (
  id          text PRIMARY KEY,
  source_a    text NOT NULL REFERENCES person_sources (id),
  source_b    text NOT NULL REFERENCES person_sources (id),
  decision    text NOT NULL CHECK (decision IN ('link', 'not-a-match')),
  decided_by  jsonb NOT NULL,
  reason      text NOT NULL,
  at          timestamptz NOT NULL,
  CHECK (source_a < source_b)
);
CREATE UNIQUE INDEX match_decisions_pair ON match_decisions (source_a, source_b);
CREATE INDEX match_decisions_b ON match_decisions (source_b);

-- The source record a plan or other record arrived with, so an unlink moves it too.
ALTER TABLE protection_plans ADD COLUMN source_id text REFERENCES person_sources (id);
ALTER TABLE canonical_records ADD COLUMN source_id text REFERENCES person_sources (id);

-- People already in the index become their own single source.
INSERT INTO person_sources (id, owner, person_id, record, link, created_at, updated_at)
  SELECT 'src-' || id, record->>'owner', id, record, 'new', created_at, updated_at FROM persons;
INSERT INTO person_source_identifiers (system, value, source_id)
  SELECT system, value, 'src-' || person_id FROM person_identifiers;
