-- Alerts raised by the rules in config/alerts.yaml (docs/alerts.md). `reasons` holds the
-- facts that made the rule fire ({fact, value, source}), never names or narratives.
-- `dedupe_key` (rule, person and what triggered it: a notification or a police protection
-- period) is unique, so evaluating the same facts again raises nothing new.
CREATE TABLE alerts (
  id               text PRIMARY KEY,
  rule_id          text NOT NULL,
  rule_version     integer NOT NULL,
  title            text NOT NULL,
  severity         text NOT NULL CHECK (severity IN ('high', 'medium', 'low')),
  recipient        text NOT NULL REFERENCES agencies (id),
  person_id        text NOT NULL REFERENCES persons (id),
  household_id     text REFERENCES households (id),
  reasons          jsonb NOT NULL,
  status           text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'acknowledged', 'closed')),
  raised_at        timestamptz NOT NULL,
  acknowledged_at  timestamptz,
  acknowledged_by  text,
  closed_at        timestamptz,
  closed_by        text,
  close_reason     text,
  dedupe_key       text NOT NULL UNIQUE,
  CHECK ((status = 'closed') = (closed_at IS NOT NULL))
);
CREATE INDEX alerts_recipient_raised ON alerts (recipient, status, raised_at DESC);
CREATE INDEX alerts_person ON alerts (person_id);

-- The sweep's reads: SSDA903 episodes with legal status L1 (police protection), by child.
CREATE INDEX canonical_records_police_protection ON canonical_records (person_id)
  WHERE type = 'CaseEvent' AND record->>'kind' = 'cla-episode' AND record->'codes'->>'LS' = 'L1';
