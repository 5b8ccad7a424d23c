-- Booking (see migrations/mysql/0004_booking.sql): why an appointment was cancelled, and the
-- Idempotency-Key ledger that makes a retried create return its first answer.
ALTER TABLE appointments ADD COLUMN cancellation_reason TEXT
  CHECK (length(cancellation_reason) <= 255);

CREATE TABLE idempotency_keys (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  actor_role TEXT NOT NULL CHECK (actor_role IN ('patient','doctor','admin','system')),
  actor_id INTEGER NOT NULL,
  operation TEXT NOT NULL CHECK (length(operation) <= 64),
  idem_key TEXT NOT NULL CHECK (length(idem_key) <= 255),
  request_hash TEXT NOT NULL CHECK (length(request_hash) = 64),
  resource_id INTEGER NOT NULL,
  created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX uq_idempotency_key ON idempotency_keys (actor_role, actor_id, operation, idem_key);
CREATE INDEX idx_idempotency_created ON idempotency_keys (created_at);
