-- The free-slot search filters a location and walks a start-time window in order: one index
-- serves both (the location-only index made it sort a whole location's slots). It also serves
-- the foreign key on location_id, so the old index can go.
CREATE INDEX idx_slot_location_start ON doctor_time_slots (location_id, start_time_utc);
DROP INDEX idx_slot_location ON doctor_time_slots;
