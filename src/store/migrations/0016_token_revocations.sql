-- Revoked bearer tokens (src/auth/revocations.ts, docs/access-control.md). A row revokes one
-- token of an agency by its `jti`, or every token of one user (`sub`) of an agency issued at
-- or before `issued_before`. Rows are only ever added. Each insert sends a NOTIFY on channel
-- 'sgw_revocations_<schema>' carrying the revocation itself (JSON), so every gateway process
-- on this database adds it to its in-memory list as soon as it commits, with no database
-- read per request. Lengths are bounded so a notice stays far below PostgreSQL's 8000-byte
-- payload limit.
-- (The migration runner splits on ';' at line ends, so each body keeps its statements on one line.)

CREATE TABLE token_revocations (
  id bigserial PRIMARY KEY,
  agency text NOT NULL CHECK (char_length(agency) BETWEEN 1 AND 100),
  jti text CHECK (char_length(jti) BETWEEN 1 AND 256),
  sub text CHECK (char_length(sub) BETWEEN 1 AND 256),
  issued_before timestamptz,
  revoked_at timestamptz NOT NULL,
  revoked_by text NOT NULL CHECK (char_length(revoked_by) BETWEEN 1 AND 300),
  reason text CHECK (char_length(reason) <= 500),
  CONSTRAINT token_revocations_one_kind CHECK ((jti IS NOT NULL AND sub IS NULL AND issued_before IS NULL) OR (jti IS NULL AND sub IS NOT NULL AND issued_before IS NOT NULL))
);

CREATE FUNCTION sgw_revocation_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN PERFORM pg_notify('sgw_revocations_' || current_schema(), json_build_object('agency', NEW.agency, 'jti', NEW.jti, 'sub', NEW.sub, 'before', extract(epoch FROM NEW.issued_before))::text); RETURN NULL; END
$$;

CREATE TRIGGER revocation_insert AFTER INSERT ON token_revocations FOR EACH ROW EXECUTE FUNCTION sgw_revocation_notify();
