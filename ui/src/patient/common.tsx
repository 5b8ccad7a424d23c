// What the patient screens share: the public directory of doctors and locations (to name the
// doctor and clinic of an appointment), the patient's own appointments, and how a moment is
// shown — in the clinic's zone with the zone named, plus the patient's own time when it differs.
import { api, fetchAll } from '../lib/api';
import { doctorName } from '../lib/session';
import {
  browserZone,
  dateIn,
  formatDateTime,
  formatPlainDate,
  formatTime,
  zoneAbbreviation,
  zoneCity,
} from '../lib/time';
import { Temporal } from '../lib/temporal';
import type { Appointment, Doctor, Location } from '../lib/types';

/** The parties the server embeds in an appointment (older servers send only the ids). */
export interface AppointmentParties {
  doctor?: { id: number; first_name: string; last_name: string; specialization: string };
  location?: { id: number; name: string; timezone: string } | null;
}

export type PatientAppointment = Appointment & AppointmentParties;

export interface Directory {
  doctors: Map<number, Doctor>;
  locations: Map<number, Location>;
}

let directoryLoad: Promise<Directory> | null = null;
let locationsLoad: Promise<Map<number, Location>> | null = null;

/** Doctors and locations, fetched once per page load (they change rarely); a failure is retried. */
export function loadDirectory(): Promise<Directory> {
  if (!directoryLoad) {
    directoryLoad = Promise.all([fetchAll<Doctor>('/doctors'), loadLocations()]).then(([doctors, locations]) => ({
      doctors: new Map(doctors.map((d) => [d.id, d])),
      locations,
    }));
    directoryLoad.catch(() => {
      directoryLoad = null;
    });
  }
  return directoryLoad;
}

/** The directory's locations alone, for a screen that needs no other doctor than its own. */
export function loadLocations(): Promise<Map<number, Location>> {
  if (!locationsLoad) {
    locationsLoad = fetchAll<Location>('/locations').then((locations) => new Map(locations.map((l) => [l.id, l])));
    locationsLoad.catch(() => {
      locationsLoad = null;
    });
  }
  return locationsLoad;
}

/** Every appointment of the logged-in patient, by start time. */
export function loadMyAppointments(): Promise<PatientAppointment[]> {
  return fetchAll<PatientAppointment>('/appointments');
}

export function fetchAppointment(id: number, signal?: AbortSignal): Promise<PatientAppointment> {
  return api.get<PatientAppointment>(`/appointments/${id}`, undefined, signal);
}

/** The IANA zone an appointment's times are read in: its clinic's. */
export function appointmentZone(appointment: PatientAppointment, directory?: Directory): string {
  return (
    appointment.local?.timezone ??
    appointment.location?.timezone ??
    (appointment.location_id !== null ? directory?.locations.get(appointment.location_id)?.timezone : undefined) ??
    browserZone()
  );
}

export function appointmentDoctor(appointment: PatientAppointment, directory?: Directory): string {
  const doctor = appointment.doctor ?? directory?.doctors.get(appointment.doctor_id);
  return doctor ? doctorName(doctor) : `Doctor #${appointment.doctor_id}`;
}

export function appointmentSpecialization(appointment: PatientAppointment, directory?: Directory): string | null {
  return (appointment.doctor ?? directory?.doctors.get(appointment.doctor_id))?.specialization ?? null;
}

export function appointmentLocationName(appointment: PatientAppointment, directory?: Directory): string | null {
  if (appointment.location) return appointment.location.name;
  if (appointment.location_id === null) return null;
  return directory?.locations.get(appointment.location_id)?.name ?? null;
}

/** "New York time (EST)": the zone a time is shown in, named as people say it. */
export function zoneLabel(instant: string, zone: string): string {
  return `${zoneCity(zone)} time (${zoneAbbreviation(instant, zone)})`;
}

/** The time of `instant` in the browser's zone, with the weekday when the date differs. */
export function ownTime(instant: string, clinicZone: string): string {
  const own = browserZone();
  const time = formatTime(instant, own);
  if (dateIn(instant, own).equals(dateIn(instant, clinicZone))) return time;
  return `${formatPlainDate(dateIn(instant, own), { weekday: 'short' })} ${time}`;
}

/** A moment as the clinic sees it, its zone named, and the patient's own time when that differs. */
export function ClinicTime({ instant, zone }: { instant: string; zone: string }) {
  const own = browserZone();
  return (
    <span class="clinic-time">
      <time class="clinic-time__local" dateTime={instant}>
        {formatDateTime(instant, zone)}
      </time>{' '}
      <span class="clinic-time__zone">{zoneLabel(instant, zone)}</span>
      {zone !== own && (
        <span class="clinic-time__own">
          Your time: {formatDateTime(instant, own)} ({zoneCity(own)})
        </span>
      )}
    </span>
  );
}

/** Now, as the API's instant (whole seconds: every server version accepts those). */
export function nowInstant(): string {
  return Temporal.Now.instant().toString({ smallestUnit: 'second' });
}

export function isFuture(instant: string): boolean {
  return Date.parse(instant) > Date.now();
}
