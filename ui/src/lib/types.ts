// The API's records as the UI reads them (field names are the server's; see api/openapi.yaml).

export type Role = 'patient' | 'doctor' | 'admin';

export interface Principal {
  role: Role;
  id: number;
}

export interface Location {
  id: number;
  name: string;
  address_line1: string;
  address_line2: string | null;
  city: string;
  state_region: string | null;
  postal_code: string | null;
  country: string;
  phone: string | null;
  timezone: string;
  created_at: string;
  updated_at: string;
}

export interface Doctor {
  id: number;
  first_name: string;
  last_name: string;
  email?: string;
  phone?: string | null;
  specialization: string;
  bio: string | null;
  location_id: number | null;
  is_active?: boolean;
  created_at: string;
  updated_at: string;
  deleted_at?: string | null;
}

export type Gender = 'male' | 'female' | 'other' | 'prefer_not_to_say';

export interface Patient {
  id: number;
  first_name: string;
  last_name: string;
  email: string;
  phone: string | null;
  date_of_birth: string | null;
  gender: Gender | null;
  notes?: string | null;
  has_login?: boolean;
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
}

export interface Admin {
  id: number;
  username: string;
  email: string;
  last_login_at: string | null;
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
}

export interface LocalTimes {
  start: string;
  end: string;
  timezone: string;
}

export interface Slot {
  id: number;
  doctor_id: number;
  location_id: number | null;
  start_time_utc: string;
  end_time_utc: string;
  is_available: boolean;
  created_at: string;
  updated_at: string;
  local?: LocalTimes | null;
}

export type AppointmentStatus = 'scheduled' | 'completed' | 'cancelled' | 'no_show';

export interface CurrencyBalance {
  currency: string;
  paid_cents: number;
  refunded_cents: number;
  net_cents: number;
}

export interface Appointment {
  id: number;
  slot_id: number;
  doctor_id: number;
  patient_id: number;
  location_id: number | null;
  status: AppointmentStatus;
  reason: string | null;
  notes: string | null;
  cancellation_reason: string | null;
  /** Set when a reschedule to another doctor ended this appointment: the one booked in its place. */
  rescheduled_to_id?: number | null;
  start_time_utc: string;
  end_time_utc: string;
  local: LocalTimes | null;
  created_at: string;
  updated_at: string;
  balance?: CurrencyBalance[];
}

export type PaymentMethod = 'cash' | 'card' | 'transfer' | 'other';
export type PaymentStatus = 'pending' | 'paid' | 'refunded' | 'failed';

export interface Payment {
  id: number;
  appointment_id: number;
  amount_cents: number;
  currency: string;
  method: PaymentMethod;
  status: PaymentStatus;
  transaction_ref: string | null;
  refund_of_id: number | null;
  paid_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface Prescription {
  id: number;
  appointment_id: number;
  doctor_id: number;
  patient_id: number;
  instructions: string;
  supersedes_id: number | null;
  superseded_by: number | null;
  status: 'active' | 'superseded';
  issued_at: string;
  created_at: string;
  updated_at: string;
}

export interface WeeklyInterval {
  weekday: number; // 1 = Monday … 7 = Sunday
  start: string; // "09:00"
  end: string; // "17:00" or "24:00"
}

export interface WorkingHours {
  doctor_id: number;
  location_id: number;
  slot_minutes: number;
  horizon_days: number;
  weekly: WeeklyInterval[];
}

export interface Attachment {
  file_id: string;
  file_name: string;
  mime_type: string;
  size_bytes: number;
  sha256: string;
}

export interface MessageAttachment extends Attachment {
  storage: { bucket: string; region: string };
}

export interface ReadReceipt {
  user_role: Role;
  user_id: number;
  read_at: string;
}

export interface Message {
  _id: string;
  thread_id: string;
  type: 'chat' | 'system' | 'file' | 'note';
  text: string | null;
  rich_text: { markdown: string | null };
  relationalRefs: {
    appointment_id: number;
    patient_id: number;
    doctor_id: number;
    location_id: number | null;
  };
  author: { role: Role | 'system'; id: number; display_name: string; avatar_url: string | null };
  attachments: MessageAttachment[];
  read_receipts: ReadReceipt[];
  tags: string[];
  meta: {
    created_at: string;
    created_by: { role: Role | 'system'; id: number };
    updated_at: string;
    version: number;
  };
  html: string | null;
}

export type LiveEvent =
  | { type: 'ready'; user: Principal }
  | { type: 'message'; appointment_id: number; message: Message }
  | { type: 'read'; appointment_id: number; user: Principal; up_to: string; read_at: string }
  | { type: 'appointment'; change: string; appointment: Appointment };
