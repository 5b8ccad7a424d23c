// What the doctor's screens share: the API records as this area reads them (appointments with
// names, the doctor's own slots), the clinic's locations, and local-time helpers for one zone.
import { api, fetchAll } from '../lib/api';
import { useAsync } from '../lib/hooks';
import { useSession } from '../lib/session';
import { Temporal } from '../lib/temporal';
import { browserZone, formatTime, zoneAbbreviation, zoneCity, type PlainDate } from '../lib/time';
import type { Appointment, Doctor, Location, Slot } from '../lib/types';

/** An appointment as lists and `GET /appointments/{id}` answer it, with the names of who and where. */
export type NamedAppointment = Appointment & {
  patient?: { id: number; first_name: string; last_name: string };
  doctor?: { id: number; first_name: string; last_name: string; specialization: string };
  location?: { id: number; name: string; timezone: string } | null;
};

/** One of the doctor's own slots (`GET /doctors/{id}/slots`): free, blocked or booked. */
export type OwnSlot = Slot & { appointment_id: number | null };

export type SlotState = 'free' | 'blocked' | 'booked';

export function slotState(slot: OwnSlot): SlotState {
  if (slot.appointment_id !== null) return 'booked';
  return slot.is_available ? 'free' : 'blocked';
}

export function patientLabel(appointment: NamedAppointment): string {
  const p = appointment.patient;
  return p ? `${p.first_name} ${p.last_name}` : `Patient #${appointment.patient_id}`;
}

/** The zone an appointment or slot is read in: its location's, else the browser's. */
export function zoneOf(record: { local?: { timezone: string } | null }): string {
  return record.local?.timezone ?? browserZone();
}

/** "9:30 AM – 10:00 AM EST" in `zone`. */
export function timeRange(start: string, end: string, zone: string): string {
  return `${formatTime(start, zone)} – ${formatTime(end, zone)} ${zoneAbbreviation(start, zone)}`;
}

/** "New York time (EST)". */
export function zoneName(zone: string, at: string = Temporal.Now.instant().toString()): string {
  return `${zoneCity(zone)} time (${zoneAbbreviation(at, zone)})`;
}

/** The instant at `time` ("HH:MM", or the day's start when empty) on `date` in `zone`. */
export function instantAt(date: PlainDate, zone: string, time = ''): string {
  const plainTime = time ? Temporal.PlainTime.from(time) : undefined;
  return date.toZonedDateTime({ timeZone: zone, plainTime }).toInstant().toString();
}

export interface DoctorContext {
  doctor: Doctor;
  locations: Location[];
  /** The zone the schedule's days run in: the doctor's own location's, else the browser's. */
  homeZone: string;
  locationById: (id: number | null) => Location | undefined;
}

async function loadDoctorContext(doctorId: number, signal: AbortSignal): Promise<DoctorContext> {
  const [doctor, locations] = await Promise.all([
    api.get<Doctor>(`/doctors/${doctorId}`, undefined, signal),
    fetchAll<Location>('/locations'),
  ]);
  const home = locations.find((l) => l.id === doctor.location_id);
  return {
    doctor,
    locations,
    homeZone: home?.timezone ?? browserZone(),
    locationById: (id) => locations.find((l) => l.id === id),
  };
}

/** The logged-in doctor's record and the clinic's locations. */
export function useDoctorContext() {
  const { session } = useSession();
  const doctorId = session.user.id;
  return { doctorId, context: useAsync((signal) => loadDoctorContext(doctorId, signal), [doctorId]) };
}

/** "2026-12-07" → a PlainDate, or `fallback` when the text is missing or not a date. */
export function dateParam(text: string | null, fallback: PlainDate): PlainDate {
  if (!text) return fallback;
  try {
    return Temporal.PlainDate.from(text);
  } catch {
    return fallback;
  }
}
