-- A doctor's weekly working hours, from which slots are generated. One row per interval of one
-- weekday (several per day, so a lunch break is a gap between two rows), in the location's local
-- wall-clock time as minutes after midnight. The whole set is replaced per doctor, so every row of
-- a doctor carries the same location, slot length and horizon.
CREATE TABLE working_hours (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  doctor_id INTEGER NOT NULL REFERENCES doctors (id) ON DELETE RESTRICT ON UPDATE CASCADE,
  location_id INTEGER NOT NULL
    REFERENCES clinic_locations (id) ON DELETE RESTRICT ON UPDATE CASCADE,
  slot_minutes INTEGER NOT NULL CHECK (slot_minutes BETWEEN 5 AND 240),
  horizon_days INTEGER NOT NULL CHECK (horizon_days BETWEEN 1 AND 365),
  weekday INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 7),
  start_minute INTEGER NOT NULL CHECK (start_minute BETWEEN 0 AND 1439),
  end_minute INTEGER NOT NULL CHECK (end_minute BETWEEN 1 AND 1440),
  created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT chk_working_hours_span CHECK (end_minute > start_minute)
);
CREATE INDEX idx_working_hours_doctor ON working_hours (doctor_id, weekday, start_minute);
CREATE INDEX idx_working_hours_location ON working_hours (location_id);
