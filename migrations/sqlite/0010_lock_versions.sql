-- Nothing to do on SQLite: its write transactions already exclude each other, so the doctors' and
-- patients' lock_version (migrations/mysql/0010_lock_versions.sql) is MySQL's alone.
SELECT 1;
