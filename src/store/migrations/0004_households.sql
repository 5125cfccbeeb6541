-- Households: people who share a normalised address (the UPRN where given, else the
-- postcode with the house and flat numbers). A person belongs to the household of their
-- current address; relationships sent by the adapters attach to their subject's household.

CREATE TABLE households (
  id          text PRIMARY KEY,
  -- 'uprn|<UPRN>' or 'address|<postcode>|<house and flat tokens>'
  key         text NOT NULL UNIQUE,
  basis       text NOT NULL CHECK (basis IN ('uprn', 'address')),
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE household_members (
  household_id  text NOT NULL REFERENCES households (id),
  person_id     text NOT NULL REFERENCES persons (id),
  since         timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (household_id, person_id)
);
CREATE INDEX household_members_person ON household_members (person_id);

ALTER TABLE canonical_records ADD COLUMN household_id text REFERENCES households (id);
CREATE INDEX canonical_records_household ON canonical_records (household_id) WHERE household_id IS NOT NULL;
