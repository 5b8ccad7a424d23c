-- Failed logins, for throttling password guessing per account and per client address. Kept in the
-- database, not in memory, so every clinicd instance behind a load balancer counts the same
-- failures. Old rows are pruned by the server.
CREATE TABLE login_attempts (
  id BIGINT UNSIGNED PRIMARY KEY AUTO_INCREMENT,
  subject_kind ENUM('account','address') NOT NULL,
  subject VARCHAR(255) NOT NULL,
  attempted_at DATETIME NOT NULL,
  INDEX idx_login_attempts_subject (subject_kind, subject, attempted_at),
  INDEX idx_login_attempts_time (attempted_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_520_ci;
