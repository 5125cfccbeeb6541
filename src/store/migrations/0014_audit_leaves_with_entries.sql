-- The audit Merkle tree keeps its leaves with their entries (audit_log.leaf_hash, written
-- in the same row) and only levels 4 and up in audit_merkle_node; levels 1 to 3 are
-- recomputed from at most 8 leaves when a proof needs them (src/audit/merkle.ts,
-- FIRST_STORED_LEVEL). Existing leaves move over; the lower nodes go.
ALTER TABLE audit_log ADD COLUMN leaf_hash text CHECK (leaf_hash IS NULL OR length(leaf_hash) = 64);
UPDATE audit_log l SET leaf_hash = n.hash FROM audit_merkle_node n WHERE n.level = 0 AND n.idx = l.seq - 1;
DELETE FROM audit_merkle_node WHERE level < 4;
