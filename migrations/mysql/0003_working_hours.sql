-- A doctor's weekly working hours, from which slots are generated. One row per interval of one
-- weekday (several per day, so a lunch break is a gap between two rows), in the location's local
-- wall-clock time as minutes after midnight. The whole set is replaced per doctor, so every row of
-- a doctor carries the same location, slot length and horizon.
CREATE TABLE working_hours (
  id INT UNSIGNED PRIMARY KEY AUTO_INCREMENT,
  doctor_id INT UNSIGNED NOT NULL,
  location_id INT UNSIGNED NOT NULL,
  slot_minutes SMALLINT UNSIGNED NOT NULL,
  horizon_days SMALLINT UNSIGNED NOT NULL,
  weekday TINYINT UNSIGNED NOT NULL,
  start_minute SMALLINT UNSIGNED NOT NULL,
  end_minute SMALLINT UNSIGNED NOT NULL,
  created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT fk_working_hours_doctor
    FOREIGN KEY (doctor_id) REFERENCES doctors(id)
    ON DELETE RESTRICT ON UPDATE CASCADE,
  CONSTRAINT fk_working_hours_location
    FOREIGN KEY (location_id) REFERENCES clinic_locations(id)
    ON DELETE RESTRICT ON UPDATE CASCADE,
  CONSTRAINT chk_working_hours_slot CHECK (slot_minutes BETWEEN 5 AND 240),
  CONSTRAINT chk_working_hours_horizon CHECK (horizon_days BETWEEN 1 AND 365),
  CONSTRAINT chk_working_hours_weekday CHECK (weekday BETWEEN 1 AND 7),
  CONSTRAINT chk_working_hours_start CHECK (start_minute BETWEEN 0 AND 1439),
  CONSTRAINT chk_working_hours_end CHECK (end_minute BETWEEN 1 AND 1440),
  CONSTRAINT chk_working_hours_span CHECK (end_minute > start_minute),
  INDEX idx_working_hours_doctor (doctor_id, weekday, start_minute),
  INDEX idx_working_hours_location (location_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_520_ci;
