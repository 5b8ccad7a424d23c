-- An audit row's hash need not be unique (see migrations/mysql/0016_audit_hash_not_unique.sql).
-- SQLite cannot drop a column's UNIQUE constraint, so the table is rebuilt with the same columns
-- in the same order, its rows copied as they are, and its indexes and triggers made again.
CREATE TABLE audit_log_rebuilt (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  occurred_at TEXT NOT NULL,
  actor_role TEXT NOT NULL CHECK (actor_role IN ('patient','doctor','admin','system')),
  actor_id INTEGER,
  action TEXT NOT NULL CHECK (length(action) <= 64),
  entity TEXT NOT NULL CHECK (length(entity) <= 64),
  entity_id INTEGER,
  client_addr TEXT CHECK (length(client_addr) <= 64),
  request_id TEXT CHECK (length(request_id) <= 64),
  details TEXT,
  prev_hash TEXT NOT NULL CHECK (length(prev_hash) = 64),
  hash TEXT NOT NULL CHECK (length(hash) = 64),
  client_request_id TEXT CHECK (length(client_request_id) <= 64),
  chain INTEGER NOT NULL DEFAULT 1,
  chain_seq INTEGER NOT NULL DEFAULT 0
);
INSERT INTO audit_log_rebuilt (id, occurred_at, actor_role, actor_id, action, entity, entity_id,
                               client_addr, request_id, details, prev_hash, hash,
                               client_request_id, chain, chain_seq)
  SELECT id, occurred_at, actor_role, actor_id, action, entity, entity_id, client_addr,
         request_id, details, prev_hash, hash, client_request_id, chain, chain_seq
  FROM audit_log ORDER BY id;
DROP TABLE audit_log;
ALTER TABLE audit_log_rebuilt RENAME TO audit_log;
CREATE INDEX idx_audit_entity ON audit_log (entity, entity_id);
CREATE INDEX idx_audit_actor ON audit_log (actor_role, actor_id);
CREATE INDEX idx_audit_time ON audit_log (occurred_at);
CREATE UNIQUE INDEX uq_audit_chain_seq ON audit_log (chain, chain_seq);
CREATE TRIGGER trg_audit_log_no_update BEFORE UPDATE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER trg_audit_log_no_delete BEFORE DELETE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
