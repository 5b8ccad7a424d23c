-- Failed logins, for throttling password guessing per account and per client address (see
-- migrations/mysql/0002_login_attempts.sql).
CREATE TABLE login_attempts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  subject_kind TEXT NOT NULL CHECK (subject_kind IN ('account','address')),
  subject TEXT NOT NULL COLLATE NOCASE CHECK (length(subject) <= 255),
  attempted_at TEXT NOT NULL
);
CREATE INDEX idx_login_attempts_subject ON login_attempts (subject_kind, subject, attempted_at);
CREATE INDEX idx_login_attempts_time ON login_attempts (attempted_at);
