-- Where an appointment went when it was rescheduled to another doctor (see
-- migrations/mysql/0012_appointment_rescheduled_to.sql).
ALTER TABLE appointments ADD COLUMN rescheduled_to_id INTEGER
  REFERENCES appointments (id) ON DELETE RESTRICT ON UPDATE CASCADE;
