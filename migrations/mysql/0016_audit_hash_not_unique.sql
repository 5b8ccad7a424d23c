-- An audit row's hash need not be unique, and must not be: the first rows of two chains both
-- chain to the genesis hash, so two alike rows (the same action by the same actor in the same
-- second, with no request id, as housekeeping writes) that start two chains have the same hash,
-- and the unique index refused the second. Rows are found by id and by (chain, chain_seq); the
-- chain links are checked by `clinicctl audit verify`, never looked up by hash.
ALTER TABLE audit_log DROP INDEX hash;
