-- Pseudonymised mode seals the other canonical records too (attendances, case events,
-- relationships, consents): `record` keeps only who and where (id, subject, owner,
-- provenance), `sealed` the whole record under the owning agency's data key.
ALTER TABLE canonical_records ADD COLUMN sealed jsonb;
