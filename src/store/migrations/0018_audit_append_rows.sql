-- The audit append with its rows in one JSON document instead of seven arrays
-- (src/audit/audit-log.ts). Measured on PGlite with nine CP-IS entries: handing over a
-- jsonb[] of the entries and three text[] of hashes cost about 530 + 130 µs of CPU a batch
-- more than SELECT 1 (each element escaped into an array literal, then parsed back), one JSON
-- array of rows about 270 µs. Same guard and same semantics as sgw_audit_append (0015), which
-- is kept for a gateway of the version before: rows are [{"e": entry, "p": prev_hash,
-- "h": hash, "l": leaf_hash}, ...] in seq order after the guard, nodes [[level, idx, hash], ...].
-- Returns 1 when written, 0 (writing nothing) when the head row no longer holds the guard.
-- (The migration runner splits on ';' at line ends, so no line of the body ends with one.)

CREATE FUNCTION sgw_audit_append_rows(
  rows jsonb, nodes jsonb,
  new_seq bigint, new_hash text, new_frontier jsonb,
  guard_seq bigint, guard_hash text, guard_tree_size bigint
) RETURNS int LANGUAGE plpgsql AS $$
BEGIN UPDATE audit_head SET seq = new_seq, hash = new_hash, tree_size = new_seq, frontier = new_frontier WHERE id AND seq = guard_seq AND hash = guard_hash AND tree_size = guard_tree_size; IF NOT FOUND THEN RETURN 0; END IF; INSERT INTO audit_log (seq, recorded_at, entry, prev_hash, hash, leaf_hash)
  SELECT guard_seq + r.n, (r.x->'e'->>'recordedAt')::timestamptz, r.x->'e', r.x->>'p', r.x->>'h', r.x->>'l' FROM jsonb_array_elements(rows) WITH ORDINALITY AS r(x, n); IF jsonb_array_length(nodes) > 0 THEN INSERT INTO audit_merkle_node (level, idx, hash)
  SELECT (n->>0)::smallint, (n->>1)::bigint, n->>2 FROM jsonb_array_elements(nodes) AS n; END IF; RETURN 1; END
$$;
