-- The transactional outbox (docs/decisions.md "Outbox"): what a committed booking change or read
-- receipt must cause outside the relational store, written in the change's own transaction.
-- `system_message` is the text to post on the appointment's thread (NULL: none); a row is applied
-- once that post is stored (`applied_at`), by whichever instance claims it first (FOR UPDATE SKIP
-- LOCKED, then a lease in `next_attempt_at`). Every instance also reads the rows of the last
-- seconds to tell its own live connections about changes made on other instances (`origin`).
CREATE TABLE outbox (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  event VARCHAR(16) NOT NULL,
  appointment_id BIGINT UNSIGNED NOT NULL,
  origin VARCHAR(32) NOT NULL,
  actor_role VARCHAR(16) NOT NULL,
  actor_id BIGINT UNSIGNED NOT NULL,
  system_message TEXT NULL,
  read_up_to VARCHAR(64) NULL,
  created_at DATETIME NOT NULL,
  applied_at DATETIME NULL,
  attempts INT UNSIGNED NOT NULL DEFAULT 0,
  next_attempt_at DATETIME NOT NULL,
  INDEX idx_outbox_due (applied_at, next_attempt_at),
  INDEX idx_outbox_created (created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_520_ci;
