-- The seed's eight tables, column for column, plus sessions and the hash-chained audit trail.
-- Runs on MySQL 8 and MariaDB 10.11 (utf8mb4_unicode_520_ci exists on both; 0900_ai_ci does not).
-- Every connection sets time_zone = '+00:00', so TIMESTAMP columns hold and return UTC.

CREATE TABLE clinic_locations (
  id INT UNSIGNED PRIMARY KEY AUTO_INCREMENT,
  name VARCHAR(120) NOT NULL,
  address_line1 VARCHAR(255) NOT NULL,
  address_line2 VARCHAR(255),
  city VARCHAR(100) NOT NULL,
  state_region VARCHAR(100),
  postal_code VARCHAR(20),
  country VARCHAR(100) NOT NULL,
  phone VARCHAR(30),
  timezone VARCHAR(64) NOT NULL DEFAULT 'UTC',
  created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  INDEX idx_city_country (city, country)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_520_ci;

-- password_hash is optional: a patient created by staff may have no portal login yet.
CREATE TABLE patients (
  id INT UNSIGNED PRIMARY KEY AUTO_INCREMENT,
  first_name VARCHAR(100) NOT NULL,
  last_name VARCHAR(100) NOT NULL,
  email VARCHAR(255) NOT NULL UNIQUE,
  phone VARCHAR(30),
  date_of_birth DATE,
  gender ENUM('male','female','other','prefer_not_to_say'),
  notes TEXT,
  password_hash VARCHAR(255) NULL,
  created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  deleted_at TIMESTAMP NULL,
  INDEX idx_patient_email (email),
  INDEX idx_patient_name (last_name, first_name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_520_ci;

-- VARCHAR(255) instead of the seed's CHAR(60): an argon2id encoded hash is ~97 characters.
CREATE TABLE doctors (
  id INT UNSIGNED PRIMARY KEY AUTO_INCREMENT,
  first_name VARCHAR(100) NOT NULL,
  last_name VARCHAR(100) NOT NULL,
  email VARCHAR(255) NOT NULL UNIQUE,
  phone VARCHAR(30),
  specialization VARCHAR(120) NOT NULL,
  bio TEXT,
  location_id INT UNSIGNED,
  password_hash VARCHAR(255) NOT NULL,
  is_active TINYINT(1) NOT NULL DEFAULT 1,
  created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  deleted_at TIMESTAMP NULL,
  CONSTRAINT fk_doctors_location
    FOREIGN KEY (location_id) REFERENCES clinic_locations(id)
    ON DELETE RESTRICT ON UPDATE CASCADE,
  CONSTRAINT chk_doctor_is_active CHECK (is_active IN (0, 1)),
  INDEX idx_doctor_email (email),
  INDEX idx_doctor_spec (specialization),
  INDEX idx_doctor_location (location_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_520_ci;

CREATE TABLE admins (
  id INT UNSIGNED PRIMARY KEY AUTO_INCREMENT,
  username VARCHAR(100) NOT NULL UNIQUE,
  email VARCHAR(255) NOT NULL UNIQUE,
  password_hash VARCHAR(255) NOT NULL,
  last_login_at TIMESTAMP NULL,
  created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  deleted_at TIMESTAMP NULL,
  INDEX idx_admin_username (username),
  INDEX idx_admin_email (email)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_520_ci;

CREATE TABLE doctor_time_slots (
  id INT UNSIGNED PRIMARY KEY AUTO_INCREMENT,
  doctor_id INT UNSIGNED NOT NULL,
  location_id INT UNSIGNED,
  start_time_utc DATETIME NOT NULL,
  end_time_utc DATETIME NOT NULL,
  is_available TINYINT(1) NOT NULL DEFAULT 1,
  created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  CONSTRAINT fk_slots_doctor
    FOREIGN KEY (doctor_id) REFERENCES doctors(id)
    ON DELETE RESTRICT ON UPDATE CASCADE,
  CONSTRAINT fk_slots_location
    FOREIGN KEY (location_id) REFERENCES clinic_locations(id)
    ON DELETE RESTRICT ON UPDATE CASCADE,
  CONSTRAINT chk_slot_time CHECK (end_time_utc > start_time_utc),
  CONSTRAINT chk_slot_is_available CHECK (is_available IN (0, 1)),
  UNIQUE KEY uq_doctor_timespan (doctor_id, start_time_utc, end_time_utc),
  INDEX idx_slot_doctor_start (doctor_id, start_time_utc),
  INDEX idx_slot_location (location_id),
  INDEX idx_slot_start (start_time_utc)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_520_ci;

-- The seed's UNIQUE(slot_id) would make a cancelled slot unbookable forever. Instead the
-- generated column active_slot_id is the slot id while the appointment is not cancelled and NULL
-- after; its UNIQUE index lets any number of cancelled rows share a slot but only one active one.
-- VIRTUAL, because MySQL refuses a STORED generated column over a column whose FK cascades.
CREATE TABLE appointments (
  id INT UNSIGNED PRIMARY KEY AUTO_INCREMENT,
  slot_id INT UNSIGNED NOT NULL,
  doctor_id INT UNSIGNED NOT NULL,
  patient_id INT UNSIGNED NOT NULL,
  location_id INT UNSIGNED,
  status ENUM('scheduled','completed','cancelled','no_show') NOT NULL DEFAULT 'scheduled',
  reason VARCHAR(255),
  notes TEXT,
  created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  active_slot_id INT UNSIGNED AS (IF(status <> 'cancelled', slot_id, NULL)) VIRTUAL,
  CONSTRAINT fk_appt_slot
    FOREIGN KEY (slot_id) REFERENCES doctor_time_slots(id)
    ON DELETE RESTRICT ON UPDATE CASCADE,
  CONSTRAINT fk_appt_doctor
    FOREIGN KEY (doctor_id) REFERENCES doctors(id)
    ON DELETE RESTRICT ON UPDATE CASCADE,
  CONSTRAINT fk_appt_patient
    FOREIGN KEY (patient_id) REFERENCES patients(id)
    ON DELETE RESTRICT ON UPDATE CASCADE,
  CONSTRAINT fk_appt_location
    FOREIGN KEY (location_id) REFERENCES clinic_locations(id)
    ON DELETE RESTRICT ON UPDATE CASCADE,
  UNIQUE KEY uq_one_active_appt_per_slot (active_slot_id),
  INDEX idx_appt_slot (slot_id),
  INDEX idx_appt_doctor_patient (doctor_id, patient_id),
  INDEX idx_appt_patient (patient_id),
  INDEX idx_appt_status (status),
  INDEX idx_appt_location (location_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_520_ci;

CREATE TABLE payments (
  id INT UNSIGNED PRIMARY KEY AUTO_INCREMENT,
  appointment_id INT UNSIGNED NOT NULL,
  amount_cents INT UNSIGNED NOT NULL,
  currency CHAR(3) NOT NULL DEFAULT 'USD',
  method ENUM('cash','card','transfer','other') NOT NULL,
  status ENUM('pending','paid','refunded','failed') NOT NULL DEFAULT 'pending',
  transaction_ref VARCHAR(100) UNIQUE,
  paid_at DATETIME NULL,
  created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  CONSTRAINT fk_payment_appt
    FOREIGN KEY (appointment_id) REFERENCES appointments(id)
    ON DELETE RESTRICT ON UPDATE CASCADE,
  INDEX idx_payment_appointment (appointment_id),
  INDEX idx_payment_status (status),
  INDEX idx_payment_transaction_ref (transaction_ref)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_520_ci;

CREATE TABLE prescriptions (
  id INT UNSIGNED PRIMARY KEY AUTO_INCREMENT,
  appointment_id INT UNSIGNED NOT NULL,
  doctor_id INT UNSIGNED NOT NULL,
  patient_id INT UNSIGNED NOT NULL,
  instructions TEXT NOT NULL,
  issued_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  CONSTRAINT fk_rx_appt
    FOREIGN KEY (appointment_id) REFERENCES appointments(id)
    ON DELETE RESTRICT ON UPDATE CASCADE,
  CONSTRAINT fk_rx_doctor
    FOREIGN KEY (doctor_id) REFERENCES doctors(id)
    ON DELETE RESTRICT ON UPDATE CASCADE,
  CONSTRAINT fk_rx_patient
    FOREIGN KEY (patient_id) REFERENCES patients(id)
    ON DELETE RESTRICT ON UPDATE CASCADE,
  INDEX idx_rx_appointment (appointment_id),
  INDEX idx_rx_doctor_patient (doctor_id, patient_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_520_ci;

-- Logins. Only the SHA-256 of the bearer token is kept; user_id points into the table that
-- `role` names, so it carries no FK.
CREATE TABLE sessions (
  id BIGINT UNSIGNED PRIMARY KEY AUTO_INCREMENT,
  token_hash CHAR(64) NOT NULL UNIQUE,
  role ENUM('patient','doctor','admin') NOT NULL,
  user_id INT UNSIGNED NOT NULL,
  created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  expires_at DATETIME NOT NULL,
  last_seen_at DATETIME NOT NULL,
  revoked_at DATETIME NULL,
  client_addr VARCHAR(64) NULL,
  INDEX idx_session_user (role, user_id),
  INDEX idx_session_expires (expires_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_520_ci;

-- Append-only; hash = SHA-256(prev_hash || canonical row text). Writers serialise on the single
-- audit_chain_head row (SELECT ... FOR UPDATE) so two transactions never chain to the same parent.
CREATE TABLE audit_log (
  id BIGINT UNSIGNED PRIMARY KEY AUTO_INCREMENT,
  occurred_at DATETIME NOT NULL,
  actor_role ENUM('patient','doctor','admin','system') NOT NULL,
  actor_id INT UNSIGNED NULL,
  action VARCHAR(64) NOT NULL,
  entity VARCHAR(64) NOT NULL,
  entity_id BIGINT UNSIGNED NULL,
  client_addr VARCHAR(64) NULL,
  request_id VARCHAR(64) NULL,
  details TEXT NULL,
  prev_hash CHAR(64) NOT NULL,
  hash CHAR(64) NOT NULL UNIQUE,
  INDEX idx_audit_entity (entity, entity_id),
  INDEX idx_audit_actor (actor_role, actor_id),
  INDEX idx_audit_time (occurred_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_520_ci;

CREATE TABLE audit_chain_head (
  id TINYINT UNSIGNED PRIMARY KEY,
  last_hash CHAR(64) NOT NULL,
  CONSTRAINT chk_audit_chain_single_row CHECK (id = 1)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_520_ci;

INSERT INTO audit_chain_head (id, last_hash)
VALUES (1, '0000000000000000000000000000000000000000000000000000000000000000');

-- The audit trail is append-only.
CREATE TRIGGER trg_audit_log_no_update BEFORE UPDATE ON audit_log FOR EACH ROW
  SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'audit_log is append-only';
CREATE TRIGGER trg_audit_log_no_delete BEFORE DELETE ON audit_log FOR EACH ROW
  SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'audit_log is append-only';
