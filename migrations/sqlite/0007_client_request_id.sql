-- The client's X-Request-Id beside the server's own (see migrations/mysql/0007_client_request_id.sql).
ALTER TABLE audit_log ADD COLUMN client_request_id TEXT CHECK (length(client_request_id) <= 64);
