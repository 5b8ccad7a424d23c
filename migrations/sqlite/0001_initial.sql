-- The seed's eight tables, column for column, plus sessions and the hash-chained audit trail.
-- SQLite dialect of migrations/mysql/0001_initial.sql (same tables, columns and rules):
-- ENUM → TEXT CHECK (x IN (...)); TINYINT(1) → INTEGER CHECK (x IN (0,1)); instants are UTC text
-- 'YYYY-MM-DD HH:MM:SS' (CURRENT_TIMESTAMP's own form); ON UPDATE CURRENT_TIMESTAMP → a trigger;
-- case-insensitive unique emails/usernames (MySQL's _ci collation) → COLLATE NOCASE.

CREATE TABLE clinic_locations (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL CHECK (length(name) <= 120),
  address_line1 TEXT NOT NULL CHECK (length(address_line1) <= 255),
  address_line2 TEXT CHECK (length(address_line2) <= 255),
  city TEXT NOT NULL CHECK (length(city) <= 100),
  state_region TEXT CHECK (length(state_region) <= 100),
  postal_code TEXT CHECK (length(postal_code) <= 20),
  country TEXT NOT NULL CHECK (length(country) <= 100),
  phone TEXT CHECK (length(phone) <= 30),
  timezone TEXT NOT NULL DEFAULT 'UTC' CHECK (length(timezone) <= 64),
  created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX idx_city_country ON clinic_locations (city, country);

CREATE TABLE patients (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  first_name TEXT NOT NULL CHECK (length(first_name) <= 100),
  last_name TEXT NOT NULL CHECK (length(last_name) <= 100),
  email TEXT NOT NULL COLLATE NOCASE UNIQUE CHECK (length(email) <= 255),
  phone TEXT CHECK (length(phone) <= 30),
  date_of_birth TEXT CHECK (date_of_birth IS NULL OR date(date_of_birth) = date_of_birth),
  gender TEXT CHECK (gender IN ('male','female','other','prefer_not_to_say')),
  notes TEXT,
  password_hash TEXT CHECK (length(password_hash) <= 255),
  created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
  deleted_at TEXT
);
CREATE INDEX idx_patient_email ON patients (email);
CREATE INDEX idx_patient_name ON patients (last_name, first_name);

CREATE TABLE doctors (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  first_name TEXT NOT NULL CHECK (length(first_name) <= 100),
  last_name TEXT NOT NULL CHECK (length(last_name) <= 100),
  email TEXT NOT NULL COLLATE NOCASE UNIQUE CHECK (length(email) <= 255),
  phone TEXT CHECK (length(phone) <= 30),
  specialization TEXT NOT NULL CHECK (length(specialization) <= 120),
  bio TEXT,
  location_id INTEGER REFERENCES clinic_locations (id) ON DELETE RESTRICT ON UPDATE CASCADE,
  password_hash TEXT NOT NULL CHECK (length(password_hash) <= 255),
  is_active INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1)),
  created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
  deleted_at TEXT
);
CREATE INDEX idx_doctor_email ON doctors (email);
CREATE INDEX idx_doctor_spec ON doctors (specialization);
CREATE INDEX idx_doctor_location ON doctors (location_id);

CREATE TABLE admins (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  username TEXT NOT NULL COLLATE NOCASE UNIQUE CHECK (length(username) <= 100),
  email TEXT NOT NULL COLLATE NOCASE UNIQUE CHECK (length(email) <= 255),
  password_hash TEXT NOT NULL CHECK (length(password_hash) <= 255),
  last_login_at TEXT,
  created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
  deleted_at TEXT
);
CREATE INDEX idx_admin_username ON admins (username);
CREATE INDEX idx_admin_email ON admins (email);

CREATE TABLE doctor_time_slots (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  doctor_id INTEGER NOT NULL REFERENCES doctors (id) ON DELETE RESTRICT ON UPDATE CASCADE,
  location_id INTEGER REFERENCES clinic_locations (id) ON DELETE RESTRICT ON UPDATE CASCADE,
  start_time_utc TEXT NOT NULL,
  end_time_utc TEXT NOT NULL,
  is_available INTEGER NOT NULL DEFAULT 1 CHECK (is_available IN (0, 1)),
  created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT chk_slot_time CHECK (end_time_utc > start_time_utc),
  CONSTRAINT uq_doctor_timespan UNIQUE (doctor_id, start_time_utc, end_time_utc)
);
CREATE INDEX idx_slot_doctor_start ON doctor_time_slots (doctor_id, start_time_utc);
CREATE INDEX idx_slot_location ON doctor_time_slots (location_id);
CREATE INDEX idx_slot_start ON doctor_time_slots (start_time_utc);

-- One *active* appointment per slot (a partial unique index): cancelled rows stay as history and
-- the slot can be booked again.
CREATE TABLE appointments (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  slot_id INTEGER NOT NULL REFERENCES doctor_time_slots (id) ON DELETE RESTRICT ON UPDATE CASCADE,
  doctor_id INTEGER NOT NULL REFERENCES doctors (id) ON DELETE RESTRICT ON UPDATE CASCADE,
  patient_id INTEGER NOT NULL REFERENCES patients (id) ON DELETE RESTRICT ON UPDATE CASCADE,
  location_id INTEGER REFERENCES clinic_locations (id) ON DELETE RESTRICT ON UPDATE CASCADE,
  status TEXT NOT NULL DEFAULT 'scheduled'
    CHECK (status IN ('scheduled','completed','cancelled','no_show')),
  reason TEXT CHECK (length(reason) <= 255),
  notes TEXT,
  created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE UNIQUE INDEX uq_one_active_appt_per_slot ON appointments (slot_id)
  WHERE status <> 'cancelled';
CREATE INDEX idx_appt_slot ON appointments (slot_id);
CREATE INDEX idx_appt_doctor_patient ON appointments (doctor_id, patient_id);
CREATE INDEX idx_appt_patient ON appointments (patient_id);
CREATE INDEX idx_appt_status ON appointments (status);
CREATE INDEX idx_appt_location ON appointments (location_id);

CREATE TABLE payments (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  appointment_id INTEGER NOT NULL
    REFERENCES appointments (id) ON DELETE RESTRICT ON UPDATE CASCADE,
  amount_cents INTEGER NOT NULL CHECK (amount_cents >= 0 AND amount_cents <= 4294967295),
  currency TEXT NOT NULL DEFAULT 'USD' CHECK (length(currency) = 3),
  method TEXT NOT NULL CHECK (method IN ('cash','card','transfer','other')),
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','paid','refunded','failed')),
  transaction_ref TEXT UNIQUE CHECK (length(transaction_ref) <= 100),
  paid_at TEXT,
  created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX idx_payment_appointment ON payments (appointment_id);
CREATE INDEX idx_payment_status ON payments (status);
CREATE INDEX idx_payment_transaction_ref ON payments (transaction_ref);

CREATE TABLE prescriptions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  appointment_id INTEGER NOT NULL
    REFERENCES appointments (id) ON DELETE RESTRICT ON UPDATE CASCADE,
  doctor_id INTEGER NOT NULL REFERENCES doctors (id) ON DELETE RESTRICT ON UPDATE CASCADE,
  patient_id INTEGER NOT NULL REFERENCES patients (id) ON DELETE RESTRICT ON UPDATE CASCADE,
  instructions TEXT NOT NULL,
  issued_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
  created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX idx_rx_appointment ON prescriptions (appointment_id);
CREATE INDEX idx_rx_doctor_patient ON prescriptions (doctor_id, patient_id);

CREATE TABLE sessions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  token_hash TEXT NOT NULL UNIQUE CHECK (length(token_hash) = 64),
  role TEXT NOT NULL CHECK (role IN ('patient','doctor','admin')),
  user_id INTEGER NOT NULL,
  created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
  expires_at TEXT NOT NULL,
  last_seen_at TEXT NOT NULL,
  revoked_at TEXT,
  client_addr TEXT CHECK (length(client_addr) <= 64)
);
CREATE INDEX idx_session_user ON sessions (role, user_id);
CREATE INDEX idx_session_expires ON sessions (expires_at);

CREATE TABLE audit_log (
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
  hash TEXT NOT NULL UNIQUE CHECK (length(hash) = 64)
);
CREATE INDEX idx_audit_entity ON audit_log (entity, entity_id);
CREATE INDEX idx_audit_actor ON audit_log (actor_role, actor_id);
CREATE INDEX idx_audit_time ON audit_log (occurred_at);

CREATE TABLE audit_chain_head (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  last_hash TEXT NOT NULL CHECK (length(last_hash) = 64)
);
INSERT INTO audit_chain_head (id, last_hash)
VALUES (1, '0000000000000000000000000000000000000000000000000000000000000000');

-- ON UPDATE CURRENT_TIMESTAMP. The WHEN clause lets an UPDATE that sets updated_at itself win and
-- stops the trigger from firing on its own UPDATE (recursive triggers are off by default anyway).
CREATE TRIGGER trg_clinic_locations_updated_at AFTER UPDATE ON clinic_locations
  FOR EACH ROW WHEN NEW.updated_at = OLD.updated_at
  BEGIN UPDATE clinic_locations SET updated_at = CURRENT_TIMESTAMP WHERE id = NEW.id; END;
CREATE TRIGGER trg_patients_updated_at AFTER UPDATE ON patients
  FOR EACH ROW WHEN NEW.updated_at = OLD.updated_at
  BEGIN UPDATE patients SET updated_at = CURRENT_TIMESTAMP WHERE id = NEW.id; END;
CREATE TRIGGER trg_doctors_updated_at AFTER UPDATE ON doctors
  FOR EACH ROW WHEN NEW.updated_at = OLD.updated_at
  BEGIN UPDATE doctors SET updated_at = CURRENT_TIMESTAMP WHERE id = NEW.id; END;
CREATE TRIGGER trg_admins_updated_at AFTER UPDATE ON admins
  FOR EACH ROW WHEN NEW.updated_at = OLD.updated_at
  BEGIN UPDATE admins SET updated_at = CURRENT_TIMESTAMP WHERE id = NEW.id; END;
CREATE TRIGGER trg_doctor_time_slots_updated_at AFTER UPDATE ON doctor_time_slots
  FOR EACH ROW WHEN NEW.updated_at = OLD.updated_at
  BEGIN UPDATE doctor_time_slots SET updated_at = CURRENT_TIMESTAMP WHERE id = NEW.id; END;
CREATE TRIGGER trg_appointments_updated_at AFTER UPDATE ON appointments
  FOR EACH ROW WHEN NEW.updated_at = OLD.updated_at
  BEGIN UPDATE appointments SET updated_at = CURRENT_TIMESTAMP WHERE id = NEW.id; END;
CREATE TRIGGER trg_payments_updated_at AFTER UPDATE ON payments
  FOR EACH ROW WHEN NEW.updated_at = OLD.updated_at
  BEGIN UPDATE payments SET updated_at = CURRENT_TIMESTAMP WHERE id = NEW.id; END;
CREATE TRIGGER trg_prescriptions_updated_at AFTER UPDATE ON prescriptions
  FOR EACH ROW WHEN NEW.updated_at = OLD.updated_at
  BEGIN UPDATE prescriptions SET updated_at = CURRENT_TIMESTAMP WHERE id = NEW.id; END;

-- The audit trail is append-only on this backend too.
CREATE TRIGGER trg_audit_log_no_update BEFORE UPDATE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER trg_audit_log_no_delete BEFORE DELETE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
