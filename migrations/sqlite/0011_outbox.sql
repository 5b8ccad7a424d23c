-- The transactional outbox (see migrations/mysql/0011_outbox.sql and docs/decisions.md "Outbox").
CREATE TABLE outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  event TEXT NOT NULL,
  appointment_id INTEGER NOT NULL,
  origin TEXT NOT NULL,
  actor_role TEXT NOT NULL,
  actor_id INTEGER NOT NULL,
  system_message TEXT,
  read_up_to TEXT,
  created_at TEXT NOT NULL,
  applied_at TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT NOT NULL
);
CREATE INDEX idx_outbox_due ON outbox (applied_at, next_attempt_at);
CREATE INDEX idx_outbox_created ON outbox (created_at);
