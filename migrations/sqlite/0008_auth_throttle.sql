-- Throttle counters and known login addresses (see migrations/mysql/0008_auth_throttle.sql).
DROP TABLE login_attempts;

CREATE TABLE auth_throttle (
  subject_kind TEXT NOT NULL
    CHECK (subject_kind IN ('account','address','account_address','registration')),
  subject TEXT NOT NULL COLLATE NOCASE CHECK (length(subject) <= 320),
  window_started_at TEXT NOT NULL,
  attempts INTEGER NOT NULL CHECK (attempts >= 0),
  strikes INTEGER NOT NULL CHECK (strikes >= 0),
  blocked_until TEXT,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (subject_kind, subject)
);
CREATE INDEX idx_auth_throttle_updated ON auth_throttle (updated_at);

CREATE TABLE known_login_addresses (
  account TEXT NOT NULL COLLATE NOCASE CHECK (length(account) <= 255),
  address TEXT NOT NULL CHECK (length(address) <= 64),
  last_success_at TEXT NOT NULL,
  PRIMARY KEY (account, address)
);
CREATE INDEX idx_known_login_addresses_time ON known_login_addresses (last_success_at);
