-- A reschedule to another doctor's slot ends the appointment (cancelled) and books a new one, so
-- that each appointment keeps one doctor with its thread, notes and prescriptions
-- (docs/decisions.md "Reschedule"). `rescheduled_to_id` links the ended appointment to the one
-- that replaced it; it is NULL for every other appointment.
ALTER TABLE appointments
  ADD COLUMN rescheduled_to_id INT UNSIGNED NULL AFTER cancellation_reason,
  ADD CONSTRAINT fk_appt_rescheduled_to
    FOREIGN KEY (rescheduled_to_id) REFERENCES appointments(id)
    ON DELETE RESTRICT ON UPDATE CASCADE;
