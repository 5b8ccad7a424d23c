-- A counter bumped by every transaction that locks a doctor's or a patient's row to guard rules
-- spanning other rows (no overlapping slots for a doctor, no overlapping appointments for a
-- patient). A row lock (SELECT ... FOR UPDATE) is local to one Galera node; a write is what
-- certification compares across nodes, so two such transactions on different nodes cannot both
-- commit (docs/operations.md "Galera").
ALTER TABLE doctors ADD COLUMN lock_version BIGINT UNSIGNED NOT NULL DEFAULT 0;
ALTER TABLE patients ADD COLUMN lock_version BIGINT UNSIGNED NOT NULL DEFAULT 0;
