-- Pseudonymised matching (SGW_MATCHING_MODE=pseudonymised): each source record keeps what
-- the matcher may see (HMAC pseudonyms of identifiers and blocking keys, hardened Bloom
-- filters of names, date of birth, postcode and address) and its demographics sealed
-- (AES-256-GCM) under the owning agency's data key; the clear `record` then holds only the
-- identifiers. In the default clear mode both columns stay empty.
ALTER TABLE person_sources ADD COLUMN pseudonym jsonb;
ALTER TABLE person_sources ADD COLUMN sealed jsonb;
