// The front desk: booking for a patient on the phone. Find the patient, choose the doctor, pick a
// free time in the clinic's week view, confirm with a reason; then open the appointment to take a
// payment, or cancel or reschedule it.
import { useState } from 'preact/hooks';
import { api, type Page } from '../lib/api';
import { useAsync } from '../lib/hooks';
import { href, navigate } from '../lib/router';
import type { ScreenProps } from '../lib/routes';
import { doctorName, personName } from '../lib/session';
import type { Doctor, Location, Patient, Slot } from '../lib/types';
import { formatDateTime, zoneAbbreviation, zoneCity } from '../lib/time';
import { Button, Empty, ErrorNotice, Field, Loading, Notice, PageHeader, Select, StatusBadge } from '../components/ui';
import { BookDialog } from '../patient/book_dialog';
import { SlotPicker } from '../patient/slot_picker';
import { appointmentDoctor, appointmentZone, useDoctors, useLocations, type AppointmentWithPeople } from './common';

export function DeskScreen({ query }: ScreenProps) {
  const patientId = Number(query.get('patient') ?? '') || null;
  const doctorId = Number(query.get('doctor') ?? '') || null;
  const choose = (next: { patient?: number | null; doctor?: number | null }) =>
    navigate(
      '/desk',
      {
        patient: (next.patient === undefined ? patientId : next.patient) ?? undefined,
        doctor: (next.doctor === undefined ? doctorId : next.doctor) ?? undefined,
      },
      true,
    );
  return (
    <div class="stack admin-page">
      <PageHeader title="Front desk">
        <a class="button button--secondary" href={href('/people/patients/new')}>
          New patient
        </a>
      </PageHeader>
      <p class="meta">Book for a patient on the phone: find the patient, choose the doctor, then pick a free time.</p>
      {patientId === null ? (
        <PatientSearch onChoose={(p) => choose({ patient: p.id })} />
      ) : (
        <Booking patientId={patientId} doctorId={doctorId} onChangePatient={() => choose({ patient: null })} onDoctor={(d) => choose({ doctor: d })} />
      )}
    </div>
  );
}

function PatientSearch({ onChoose }: { onChoose: (patient: Patient) => void }) {
  const [text, setText] = useState('');
  const [searched, setSearched] = useState<string | null>(null);
  const results = useAsync(
    (signal) =>
      searched === null ? Promise.resolve<Patient[]>([]) : api.get<Page<Patient>>('/patients', { q: searched, limit: 20 }, signal).then((p) => p.items),
    [searched],
  );
  return (
    <section class="card" aria-labelledby="patient-search-title">
      <h2 id="patient-search-title">1. Patient</h2>
      <form
        class="toolbar"
        role="search"
        aria-label="Find a patient"
        onSubmit={(e) => {
          e.preventDefault();
          if (text.trim()) setSearched(text.trim());
        }}
      >
        <Field
          label="Find the patient"
          name="q"
          type="search"
          value={text}
          placeholder="Part of the name or email"
          hint="Ask for the name, then check the date of birth."
          onInput={(e) => setText(e.currentTarget.value)}
        />
        <Button type="submit">Search</Button>
      </form>
      {searched !== null && results.loading && <Loading label="Searching…" />}
      <ErrorNotice error={results.error} />
      {searched !== null && !results.loading && results.data?.length === 0 && (
        <Empty>
          No patient matches “{searched}”. <a href={href('/people/patients/new')}>Create the patient</a> first.
        </Empty>
      )}
      {results.data && results.data.length > 0 && (
        <ul class="list" aria-label="Matching patients">
          {results.data.map((p) => (
            <li key={p.id} class="list-item row row--between">
              <div>
                <strong>{personName(p)}</strong>
                <p class="meta">{[p.date_of_birth ? `Born ${p.date_of_birth}` : 'No date of birth', p.email, p.phone].filter(Boolean).join(' · ')}</p>
              </div>
              <Button variant="secondary" onClick={() => onChoose(p)}>
                Choose<span class="visually-hidden"> {personName(p)}</span>
              </Button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

interface Booked {
  id: number;
  when: string;
}

function Booking({
  patientId,
  doctorId,
  onChangePatient,
  onDoctor,
}: {
  patientId: number;
  doctorId: number | null;
  onChangePatient: () => void;
  onDoctor: (id: number | null) => void;
}) {
  const patient = useAsync((signal) => api.get<Patient>(`/patients/${patientId}`, undefined, signal), [patientId]);
  const doctors = useDoctors();
  const locations = useLocations();
  const [picked, setPicked] = useState<Slot | null>(null);
  const [refreshKey, setRefreshKey] = useState(0);
  const [booked, setBooked] = useState<Booked | null>(null);
  const bookable = (doctors.data ?? []).filter((d) => !d.deleted_at && d.is_active !== false && d.location_id !== null);
  const doctor = bookable.find((d) => d.id === doctorId);
  const location = locations.data?.find((l) => l.id === doctor?.location_id);

  if (patient.loading && !patient.data) return <Loading />;
  if (!patient.data) return <ErrorNotice error={patient.error} />;
  const p = patient.data;

  return (
    <>
      <section class="card" aria-labelledby="patient-title">
        <h2 id="patient-title">1. Patient</h2>
        <div class="row row--between">
          <div>
            <strong>{personName(p)}</strong>
            <p class="meta">{[p.date_of_birth ? `Born ${p.date_of_birth}` : 'No date of birth', p.email, p.phone].filter(Boolean).join(' · ')}</p>
          </div>
          <div class="row">
            <a class="button button--secondary" href={href(`/people/patients/${p.id}`)}>
              Patient record
            </a>
            <Button variant="secondary" onClick={onChangePatient}>
              Choose another patient
            </Button>
          </div>
        </div>
        {p.deleted_at && <Notice kind="warning">This patient is deleted; restore them before booking.</Notice>}
        {p.notes && <p class="admin-notes">Notes: {p.notes}</p>}
        <UpcomingAppointments patientId={p.id} refreshKey={refreshKey} doctors={doctors.data ?? []} locations={locations.data ?? []} />
      </section>

      <section class="card" aria-labelledby="doctor-title">
        <h2 id="doctor-title">2. Doctor</h2>
        <ErrorNotice error={doctors.error ?? locations.error} />
        <Select
          label="Doctor"
          name="doctor"
          value={doctor ? String(doctor.id) : ''}
          hint={doctors.loading ? 'Loading doctors…' : undefined}
          onChange={(e) => {
            setBooked(null);
            onDoctor(Number(e.currentTarget.value) || null);
          }}
          options={[
            { value: '', label: 'Choose a doctor' },
            ...bookable.map((d) => ({
              value: String(d.id),
              label: `${doctorName(d)} — ${d.specialization}, ${locations.data?.find((l) => l.id === d.location_id)?.name ?? 'no location'}`,
            })),
          ]}
        />
      </section>

      {booked && (
        <Notice kind="success">
          Booked for {personName(p)}: {booked.when}. <a href={href(`/appointments/${booked.id}`)}>Open the appointment</a> to take a
          payment.
        </Notice>
      )}

      {doctor && location && (
        <SlotPicker
          key={doctor.id}
          doctor={doctor}
          location={location}
          title="3. Free times"
          refreshKey={refreshKey}
          onPick={(slot) => {
            setBooked(null);
            setPicked(slot);
          }}
        />
      )}

      <BookDialog
        title="Book this time?"
        slot={picked}
        doctor={doctor}
        location={location}
        patient={p}
        cancelLabel="Pick another time"
        factsClass="admin-facts"
        when={(slot, clinic) => whenText(slot.start_time_utc, bookingZone(slot, clinic))}
        where={(clinic) => clinic.name}
        onClose={() => setPicked(null)}
        onRefused={() => setRefreshKey((k) => k + 1)}
        onBooked={(appointment, slot) => {
          setPicked(null);
          setBooked({ id: appointment.id, when: whenText(appointment.start_time_utc, bookingZone(slot, location)) });
          setRefreshKey((k) => k + 1);
        }}
      />
    </>
  );
}

function whenText(instant: string, zone: string): string {
  return `${formatDateTime(instant, zone)} ${zoneAbbreviation(instant, zone)} (${zoneCity(zone)} time)`;
}

/** The zone a booking's times are shown in: the slot's own, else its clinic's. */
function bookingZone(slot: Slot, location: Location | undefined): string {
  return slot.local?.timezone ?? location?.timezone ?? 'UTC';
}

function UpcomingAppointments({
  patientId,
  refreshKey,
  doctors,
  locations,
}: {
  patientId: number;
  refreshKey: number;
  doctors: Doctor[];
  locations: Location[];
}) {
  const upcoming = useAsync(
    (signal) =>
      api.get<Page<AppointmentWithPeople>>(
        '/appointments',
        { patient_id: patientId, status: 'scheduled', from: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'), limit: 5 },
        signal,
      ),
    [patientId, refreshKey],
  );
  return (
    <div class="admin-upcoming">
      <h3>Upcoming appointments</h3>
      {upcoming.loading && !upcoming.data && <Loading />}
      <ErrorNotice error={upcoming.error} />
      {upcoming.data?.items.length === 0 && <Empty>None booked.</Empty>}
      {upcoming.data && upcoming.data.items.length > 0 && (
        <ul class="admin-upcoming__list">
          {upcoming.data.items.map((a) => {
            const zone = appointmentZone(a, locations);
            return (
              <li key={a.id}>
                <a href={href(`/appointments/${a.id}`)}>{whenText(a.start_time_utc, zone)}</a> · {appointmentDoctor(a, doctors)}{' '}
                <StatusBadge status={a.status} />
              </li>
            );
          })}
        </ul>
      )}
      {upcoming.data?.next_cursor && (
        <a href={href('/appointments', { patient_id: patientId, status: 'scheduled' })}>All of this patient’s appointments</a>
      )}
    </div>
  );
}
