-- The CP-IS unscheduled access, written in one call, and noticed only when it changes an
-- answer (src/store/access-repo.ts, src/store/cpis-index.ts).
--
-- 1. sgw_record_access takes the per-person lock, counts the same user's accesses of the last
--    24 hours and inserts the access, listed when there was none: what were three statements
--    a request (three round trips, each of which costs the embedded engine more than the work).
--    In PL/pgSQL each statement takes a fresh snapshot under READ COMMITTED, so the count
--    still sees an access committed by a transaction that held the lock before this one.
-- 2. The in-memory index keeps only the listed access history, so an access that is not
--    listed (a repeat by the same user within 24 hours) changes no answer: its insert sends
--    no change notice, and the index keeps the person instead of reading them again.
--    Updates, deletes and truncates still notify as before.
-- (The migration runner splits on ';' at line ends, so each body keeps its statements on one line.)

CREATE FUNCTION sgw_record_access(
  p_id text, p_person_id text, p_sub text, p_agency text, p_role text, p_purpose text,
  p_unscheduled boolean, p_at timestamptz, p_window interval
) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE is_listed boolean; BEGIN PERFORM pg_advisory_xact_lock(hashtext('access:' || p_person_id)); is_listed := p_unscheduled AND NOT EXISTS (SELECT 1 FROM access_events WHERE person_id = p_person_id AND accessor_agency = p_agency AND accessor_sub = p_sub AND unscheduled AND at > p_at - p_window AND at <= p_at); INSERT INTO access_events (id, person_id, accessor_sub, accessor_agency, accessor_role, purpose, unscheduled, listed, at) VALUES (p_id, p_person_id, p_sub, p_agency, p_role, p_purpose, p_unscheduled, is_listed, p_at); RETURN is_listed; END
$$;

CREATE FUNCTION sgw_cpis_new_listed_access() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN PERFORM sgw_cpis_notify(ARRAY(SELECT DISTINCT 'p:' || person_id FROM new_rows WHERE listed)); RETURN NULL; END
$$;

DROP TRIGGER cpis_insert ON access_events;
CREATE TRIGGER cpis_insert AFTER INSERT ON access_events REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION sgw_cpis_new_listed_access();
