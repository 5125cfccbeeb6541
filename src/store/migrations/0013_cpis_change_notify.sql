-- Change notices for the in-memory CP-IS index (src/store/cpis-index.ts). Every write to
-- what a CP-IS answer is made of (a person, its identifiers, its plans, its access history)
-- sends a NOTIFY on channel 'sgw_cpis_<schema>' when it commits: 'p:<person id>' for a
-- person's record, plans or accesses, 'i:<system>|<value>' for an identifier, and '*' for a
-- statement that touched more than 100 keys (a bulk write: forgetting everything is cheaper than a notice per key) or a TRUNCATE (forget everything). Each gateway
-- process listens and drops what changed; its own writes' notices arrive before the write
-- returns. Statement-level triggers with transition tables: one notice per key per statement.
-- (The migration runner splits on ';' at line ends, so each body keeps its statements on one line.)

CREATE FUNCTION sgw_cpis_notify(keys text[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE k text; BEGIN IF cardinality(keys) > 100 THEN PERFORM pg_notify('sgw_cpis_' || current_schema(), '*'); ELSE FOREACH k IN ARRAY keys LOOP PERFORM pg_notify('sgw_cpis_' || current_schema(), k); END LOOP; END IF; END
$$;

CREATE FUNCTION sgw_cpis_new_person_ref() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN PERFORM sgw_cpis_notify(ARRAY(SELECT DISTINCT 'p:' || person_id FROM new_rows)); RETURN NULL; END
$$;

CREATE FUNCTION sgw_cpis_old_person_ref() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN PERFORM sgw_cpis_notify(ARRAY(SELECT DISTINCT 'p:' || person_id FROM old_rows)); RETURN NULL; END
$$;

CREATE FUNCTION sgw_cpis_new_person() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN PERFORM sgw_cpis_notify(ARRAY(SELECT DISTINCT 'p:' || id FROM new_rows)); RETURN NULL; END
$$;

CREATE FUNCTION sgw_cpis_old_person() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN PERFORM sgw_cpis_notify(ARRAY(SELECT DISTINCT 'p:' || id FROM old_rows)); RETURN NULL; END
$$;

CREATE FUNCTION sgw_cpis_new_identifier() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN PERFORM sgw_cpis_notify(ARRAY(SELECT DISTINCT 'i:' || system || '|' || value FROM new_rows)); RETURN NULL; END
$$;

CREATE FUNCTION sgw_cpis_old_identifier() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN PERFORM sgw_cpis_notify(ARRAY(SELECT DISTINCT 'i:' || system || '|' || value FROM old_rows)); RETURN NULL; END
$$;

CREATE FUNCTION sgw_cpis_all() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN PERFORM pg_notify('sgw_cpis_' || current_schema(), '*'); RETURN NULL; END
$$;

CREATE TRIGGER cpis_insert AFTER INSERT ON persons REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION sgw_cpis_new_person();
CREATE TRIGGER cpis_update_new AFTER UPDATE ON persons REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION sgw_cpis_new_person();
CREATE TRIGGER cpis_delete AFTER DELETE ON persons REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION sgw_cpis_old_person();
CREATE TRIGGER cpis_truncate AFTER TRUNCATE ON persons FOR EACH STATEMENT EXECUTE FUNCTION sgw_cpis_all();

CREATE TRIGGER cpis_insert AFTER INSERT ON person_identifiers REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION sgw_cpis_new_identifier();
CREATE TRIGGER cpis_update_new AFTER UPDATE ON person_identifiers REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION sgw_cpis_new_identifier();
CREATE TRIGGER cpis_update_old AFTER UPDATE ON person_identifiers REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION sgw_cpis_old_identifier();
CREATE TRIGGER cpis_delete AFTER DELETE ON person_identifiers REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION sgw_cpis_old_identifier();
CREATE TRIGGER cpis_truncate AFTER TRUNCATE ON person_identifiers FOR EACH STATEMENT EXECUTE FUNCTION sgw_cpis_all();

CREATE TRIGGER cpis_insert AFTER INSERT ON protection_plans REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION sgw_cpis_new_person_ref();
CREATE TRIGGER cpis_update_new AFTER UPDATE ON protection_plans REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION sgw_cpis_new_person_ref();
CREATE TRIGGER cpis_update_old AFTER UPDATE ON protection_plans REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION sgw_cpis_old_person_ref();
CREATE TRIGGER cpis_delete AFTER DELETE ON protection_plans REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION sgw_cpis_old_person_ref();
CREATE TRIGGER cpis_truncate AFTER TRUNCATE ON protection_plans FOR EACH STATEMENT EXECUTE FUNCTION sgw_cpis_all();

CREATE TRIGGER cpis_insert AFTER INSERT ON access_events REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION sgw_cpis_new_person_ref();
CREATE TRIGGER cpis_update_new AFTER UPDATE ON access_events REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION sgw_cpis_new_person_ref();
CREATE TRIGGER cpis_update_old AFTER UPDATE ON access_events REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION sgw_cpis_old_person_ref();
CREATE TRIGGER cpis_delete AFTER DELETE ON access_events REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION sgw_cpis_old_person_ref();
CREATE TRIGGER cpis_truncate AFTER TRUNCATE ON access_events FOR EACH STATEMENT EXECUTE FUNCTION sgw_cpis_all();
