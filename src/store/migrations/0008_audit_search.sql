-- Searching the audit log by person (FHIR AuditEvent, the accounting of disclosures) and
-- by time. The entries stay the hashed JSON; these are expression indexes over it.
CREATE INDEX audit_log_subjects ON audit_log USING gin ((entry->'subjects') jsonb_path_ops);
CREATE INDEX audit_log_decisions ON audit_log USING gin ((entry->'decisions') jsonb_path_ops);
CREATE INDEX audit_log_recorded_at ON audit_log (recorded_at);
