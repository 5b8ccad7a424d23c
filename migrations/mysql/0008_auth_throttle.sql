-- Throttling of password checks and registrations (docs/decisions.md "Throttle model"). One
-- counter row per subject replaces the row per failed login: an attempt locks its subjects' rows
-- and is counted before the password is hashed, so concurrent attempts are admitted exactly up to
-- the limit, and a block grows with each repeat (strikes) up to a cap. known_login_addresses
-- remembers where each account logged in: the account-wide and address-wide counters do not apply
-- there, so failures of others cannot lock a user out of the place they work from.
DROP TABLE login_attempts;

CREATE TABLE auth_throttle (
  subject_kind ENUM('account','address','account_address','registration') NOT NULL,
  subject VARCHAR(320) NOT NULL,
  window_started_at DATETIME NOT NULL,
  attempts INT UNSIGNED NOT NULL,
  strikes INT UNSIGNED NOT NULL,
  blocked_until DATETIME NULL,
  updated_at DATETIME NOT NULL,
  PRIMARY KEY (subject_kind, subject),
  INDEX idx_auth_throttle_updated (updated_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_520_ci;

CREATE TABLE known_login_addresses (
  account VARCHAR(255) NOT NULL,
  address VARCHAR(64) NOT NULL,
  last_success_at DATETIME NOT NULL,
  PRIMARY KEY (account, address),
  INDEX idx_known_login_addresses_time (last_success_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_520_ci;
