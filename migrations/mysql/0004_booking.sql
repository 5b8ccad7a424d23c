-- Booking. `cancellation_reason` keeps why an appointment was cancelled next to the status it
-- explains. `idempotency_keys` remembers which resource a create with an Idempotency-Key made, per
-- caller and operation, with a hash of the request, so that a retry of the same request returns
-- the first answer and a reuse of the key for a different request is refused. Only successful
-- creates are remembered: a refused request changed nothing and may simply be tried again.
ALTER TABLE appointments ADD COLUMN cancellation_reason VARCHAR(255) NULL AFTER notes;

CREATE TABLE idempotency_keys (
  id BIGINT UNSIGNED PRIMARY KEY AUTO_INCREMENT,
  actor_role ENUM('patient','doctor','admin','system') NOT NULL,
  actor_id INT UNSIGNED NOT NULL,
  operation VARCHAR(64) NOT NULL,
  idem_key VARCHAR(255) NOT NULL COLLATE utf8mb4_bin,
  request_hash CHAR(64) NOT NULL,
  resource_id INT UNSIGNED NOT NULL,
  created_at DATETIME NOT NULL,
  UNIQUE KEY uq_idempotency_key (actor_role, actor_id, operation, idem_key),
  INDEX idx_idempotency_created (created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_520_ci;
