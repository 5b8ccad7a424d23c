-- An attachment upload takes an Idempotency-Key like every other create, but what it makes lives
-- in the document store and is named by text (`file_id`, "f_" and 32 hexadecimal digits), not by
-- a row number. `document_id` holds such a name; `resource_id` stays 0 for those keys, and
-- `document_id` NULL for every other key.
ALTER TABLE idempotency_keys
  ADD COLUMN document_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL AFTER resource_id;
