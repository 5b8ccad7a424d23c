-- The document (an attachment's file_id) an Idempotency-Key's create made (see
-- migrations/mysql/0014_idempotent_uploads.sql).
ALTER TABLE idempotency_keys ADD COLUMN document_id TEXT CHECK (length(document_id) <= 64);
