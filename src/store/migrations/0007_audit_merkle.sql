-- RFC 6962 Merkle tree over the audit log, and the signed tree heads (docs/audit.md).

-- The tree's perfect subtrees: node (level, idx) is the hash of leaves
-- [idx * 2^level, (idx + 1) * 2^level), leaf i being the entry with seq i + 1. Written in
-- the same transaction as the entries; any root or proof is a fold of O(log n) rows.
CREATE TABLE audit_merkle_node (
  level  smallint NOT NULL CHECK (level >= 0 AND level < 63),
  idx    bigint NOT NULL CHECK (idx >= 0),
  hash   text NOT NULL CHECK (length(hash) = 64),
  PRIMARY KEY (level, idx)
);

-- The tree's right edge, kept on the head row every append already locks: how many
-- entries the tree holds and the hashes of the perfect subtrees of that size, largest
-- first. A tree_size behind seq (entries written before this migration, or by a gateway
-- that predates it) is caught up by the next append or start-up.
ALTER TABLE audit_head ADD COLUMN tree_size bigint NOT NULL DEFAULT 0;
ALTER TABLE audit_head ADD COLUMN frontier jsonb NOT NULL DEFAULT '[]';

-- Tree heads signed with the audit signing key (held outside the database). Each is also
-- appended to the heads file (SGW_AUDIT_HEADS_FILE), which is where a verifier takes them
-- from: rows here are a convenience a database attacker can delete.
CREATE TABLE audit_tree_head (
  tree_size  bigint NOT NULL CHECK (tree_size >= 0),
  key_id     text NOT NULL,
  root_hash  text NOT NULL CHECK (length(root_hash) = 64),
  signed_at  timestamptz NOT NULL,
  jws        text NOT NULL,
  PRIMARY KEY (tree_size, key_id)
);
