-- The audit trail keeps the server's own request id in `request_id` (unique, chosen by the server,
-- the key of its log) and the id a client sent in X-Request-Id, when it sent a safe one, beside it:
-- a client's id is a correlation hint, never evidence, since any client can send any id.
ALTER TABLE audit_log ADD COLUMN client_request_id VARCHAR(64) NULL AFTER request_id;
