-- Postcode → local authority routing (`sgw routing load`): where a police notification goes
-- when neither a protection plan nor LA records name the child's local authority.
-- One row per load says where the routes came from, so an operator can tell.
CREATE TABLE routing_loads (
  id           bigserial PRIMARY KEY,
  file_name    text NOT NULL,
  form         text NOT NULL CHECK (form IN ('onspd', 'simple')),
  -- The demo file the gateway loads at start-up while no real load has rows.
  demo         boolean NOT NULL DEFAULT false,
  -- sha-256 of the file, so start-up reloads the demo only when it changed.
  content_hash text NOT NULL,
  loaded_at    timestamptz NOT NULL,
  -- Counts printed by the loader (rows read, loaded, skipped, unknown codes, seconds).
  summary      jsonb
);

-- `key` is a full postcode ('LS1 1AA'), a sector ('LS1 1') or a district ('LS1'), in
-- standard form; lookup takes the longest key that matches. `la_number` is the DfE LA number.
CREATE TABLE postcode_routes (
  key         text PRIMARY KEY,
  granularity text NOT NULL CHECK (granularity IN ('postcode', 'sector', 'district')),
  la_number   text NOT NULL CHECK (la_number ~ '^[0-9]{3}$'),
  load_id     bigint NOT NULL REFERENCES routing_loads (id)
);
CREATE INDEX postcode_routes_load ON postcode_routes (load_id);
