// Messaging's pure logic: merging messages that arrive by page, live event and reload into one
// ordered list without duplicates, read receipts, and how an appointment names its participants.
import type { Appointment, Message, Principal, Role } from '../lib/types';
import { browserZone, formatNumber } from '../lib/time';
import { doctorName, personName } from '../lib/session';

/** The names the API adds to appointment objects (absent from servers that predate them). */
export interface AppointmentNames {
  patient?: { id: number; first_name: string; last_name: string };
  doctor?: { id: number; first_name: string; last_name: string; specialization: string };
  location?: { id: number; name: string; timezone: string } | null;
}

export type NamedAppointment = Appointment & AppointmentNames;

/** The zone the appointment's times (and its messages' times) are shown in. */
export function zoneOf(appointment: NamedAppointment): string {
  return appointment.local?.timezone ?? appointment.location?.timezone ?? browserZone();
}

export function patientLabel(appointment: NamedAppointment): string {
  return appointment.patient ? personName(appointment.patient) : `Patient #${appointment.patient_id}`;
}

export function doctorLabel(appointment: NamedAppointment): string {
  return appointment.doctor ? doctorName(appointment.doctor) : `Doctor #${appointment.doctor_id}`;
}

/** Who the logged-in person talks to in this appointment's thread. */
export function counterpartLabel(appointment: NamedAppointment, role: Role): string {
  if (role === 'patient') return doctorLabel(appointment);
  if (role === 'doctor') return patientLabel(appointment);
  return `${patientLabel(appointment)} and ${doctorLabel(appointment)}`;
}

/** Thread order: by creation instant, then by `_id` (the server's own tie-break). */
function compareMessages(a: Message, b: Message): number {
  const byTime = Date.parse(a.meta.created_at) - Date.parse(b.meta.created_at);
  if (byTime !== 0) return byTime;
  return a._id < b._id ? -1 : a._id > b._id ? 1 : 0;
}

function sameReader(r: { user_role: Role; user_id: number }, s: { user_role: Role; user_id: number }): boolean {
  return r.user_role === s.user_role && r.user_id === s.user_id;
}

/** One message from two copies of it: the later version's content, every receipt either knows. */
function combine(known: Message, incoming: Message): Message {
  const newer = incoming.meta.version >= known.meta.version ? incoming : known;
  const receipts = [...newer.read_receipts];
  for (const r of [...known.read_receipts, ...incoming.read_receipts]) {
    if (!receipts.some((s) => sameReader(r, s))) receipts.push(r);
  }
  return { ...newer, read_receipts: receipts };
}

/**
 * Adds `incoming` to `known`, once each by `_id`, in thread order: a message both reloaded after a
 * reconnect and delivered live (or answered by the post itself) appears exactly once.
 */
export function mergeMessages(known: Message[], incoming: Message[]): Message[] {
  const byId = new Map(known.map((m) => [m._id, m]));
  for (const m of incoming) {
    const existing = byId.get(m._id);
    byId.set(m._id, existing ? combine(existing, m) : m);
  }
  return [...byId.values()].sort(compareMessages);
}

/** The thread after `reader` read it up to and including `upTo` (unchanged if `upTo` is unknown). */
export function applyRead(messages: Message[], reader: Principal, upTo: string, readAt: string): Message[] {
  const last = messages.findIndex((m) => m._id === upTo);
  if (last < 0) return messages;
  const receipt = { user_role: reader.role, user_id: reader.id, read_at: readAt };
  return messages.map((m, index) =>
    index > last || m.read_receipts.some((r) => sameReader(r, receipt)) ? m : { ...m, read_receipts: [...m.read_receipts, receipt] },
  );
}

export function isOwn(message: Message, me: Principal): boolean {
  return message.author.role === me.role && message.author.id === me.id;
}

export function readBy(message: Message, who: Principal): boolean {
  return message.read_receipts.some((r) => r.user_role === who.role && r.user_id === who.id);
}

/** The first receipt of the other participant (not the author, not an admin looking in). */
export function readByCounterpart(message: Message): string | null {
  const receipt = message.read_receipts.find(
    (r) => r.user_role !== 'admin' && !(r.user_role === message.author.role && r.user_id === message.author.id),
  );
  return receipt?.read_at ?? null;
}

/** Whether the thread holds something from someone else that `me` has not read yet. */
export function hasUnread(messages: Message[], me: Principal): boolean {
  return messages.some((m) => !isOwn(m, me) && !readBy(m, me));
}

/** "Lab, fever" or "lab fever" → ["lab", "fever"] (the server lower-cases and de-duplicates too). */
export function parseTags(text: string): string[] {
  const tags = text
    .split(/[\s,]+/)
    .map((t) => t.replace(/^#/, '').toLowerCase())
    .filter(Boolean);
  return [...new Set(tags)];
}

/** 1536 → "1.5 kB". */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return formatNumber(bytes, { style: 'unit', unit: 'byte', unitDisplay: 'long' });
  const unit = bytes < 1_000_000 ? 'kilobyte' : 'megabyte';
  const value = bytes / (unit === 'kilobyte' ? 1000 : 1_000_000);
  return formatNumber(value, { style: 'unit', unit, unitDisplay: 'short', maximumFractionDigits: 1 });
}

export function roleLabel(role: Message['author']['role']): string {
  switch (role) {
    case 'patient':
      return 'Patient';
    case 'doctor':
      return 'Doctor';
    case 'admin':
      return 'Clinic staff';
    case 'system':
      return 'Clinic';
  }
}
