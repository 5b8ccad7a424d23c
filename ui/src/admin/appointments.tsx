// Every appointment for the front desk: a list filtered by patient, doctor, location, status and
// dates, and one appointment with its people, its time in the clinic's zone, the actions the desk
// takes for a patient (cancel, reschedule, completed, no-show) and its payments.
import { useState } from 'preact/hooks';
import { api } from '../lib/api';
import { useAction, useAsync } from '../lib/hooks';
import { href, navigate } from '../lib/router';
import type { ScreenProps } from '../lib/routes';
import { doctorName, personName } from '../lib/session';
import type { AppointmentStatus, Doctor, Location, Patient, Slot } from '../lib/types';
import { formatDateTime, todayIn, zoneAbbreviation, zoneCity } from '../lib/time';
import { Badge, Button, Dialog, Empty, ErrorNotice, Field, Loading, Notice, PageHeader, Select, StatusBadge } from '../components/ui';
import { SlotPicker } from '../patient/slot_picker';
import {
  appointmentDoctor,
  appointmentLocation,
  appointmentPatient,
  appointmentZone,
  defaultCurrency,
  fallbackZone,
  instantOfDate,
  PagerFooter,
  useDoctors,
  useLocations,
  usePagedList,
  type AppointmentWithPeople,
} from './common';
import { Ledger } from './payments';

function whenText(instant: string, zone: string): string {
  return `${formatDateTime(instant, zone)} ${zoneAbbreviation(instant, zone)}`;
}

const statusOptions: { value: '' | AppointmentStatus; label: string }[] = [
  { value: '', label: 'Any status' },
  { value: 'scheduled', label: 'Scheduled' },
  { value: 'completed', label: 'Completed' },
  { value: 'cancelled', label: 'Cancelled' },
  { value: 'no_show', label: 'No-show' },
];

export function AppointmentsScreen({ query }: ScreenProps) {
  const filters = {
    patient_id: query.get('patient_id') ?? '',
    doctor_id: query.get('doctor_id') ?? '',
    location_id: query.get('location_id') ?? '',
    status: query.get('status') ?? '',
    from: query.get('from') ?? '',
    to: query.get('to') ?? '',
  };
  const locations = useLocations();
  const doctors = useDoctors();
  const chosenLocation = locations.data?.find((l) => String(l.id) === filters.location_id);
  const zone = chosenLocation?.timezone ?? fallbackZone(locations.data);
  const patient = useAsync(
    (signal) => (filters.patient_id ? api.get<Patient>(`/patients/${filters.patient_id}`, undefined, signal) : Promise.resolve(null)),
    [filters.patient_id],
  );
  const list = usePagedList<AppointmentWithPeople>(
    '/appointments',
    locations.data || (!filters.from && !filters.to)
      ? {
          patient_id: filters.patient_id,
          doctor_id: filters.doctor_id,
          location_id: filters.location_id,
          status: filters.status,
          from: instantOfDate(filters.from, zone),
          to: instantOfDate(filters.to, zone, 1),
        }
      : null,
  );
  const set = (next: Partial<typeof filters>) => navigate('/appointments', { ...filters, ...next }, true);
  const waiting = !locations.data && Boolean(filters.from || filters.to);

  return (
    <div>
      <PageHeader title="Appointments">
        <a class="button button--primary" href={href('/desk', { patient: filters.patient_id || undefined })}>
          Book an appointment
        </a>
      </PageHeader>
      <form class="toolbar admin-filters" aria-label="Filter appointments" onSubmit={(e) => e.preventDefault()}>
        <Select
          label="Doctor"
          name="doctor_id"
          value={filters.doctor_id}
          onChange={(e) => set({ doctor_id: e.currentTarget.value })}
          options={[{ value: '', label: 'Every doctor' }, ...(doctors.data ?? []).map((d) => ({ value: String(d.id), label: doctorName(d) }))]}
        />
        <Select
          label="Location"
          name="location_id"
          value={filters.location_id}
          onChange={(e) => set({ location_id: e.currentTarget.value })}
          options={[{ value: '', label: 'Every location' }, ...(locations.data ?? []).map((l) => ({ value: String(l.id), label: l.name }))]}
        />
        <Select label="Status" name="status" value={filters.status} onChange={(e) => set({ status: e.currentTarget.value })} options={statusOptions} />
        <Field label="From" name="from" type="date" value={filters.from} onChange={(e) => set({ from: e.currentTarget.value })} />
        <Field label="To" name="to" type="date" value={filters.to} onChange={(e) => set({ to: e.currentTarget.value })} />
        <div class="row">
          <Button variant="secondary" class="button button--secondary button--small" onClick={() => set({ from: todayIn(zone).toString(), to: todayIn(zone).toString() })}>
            Today
          </Button>
          <Button variant="secondary" class="button button--secondary button--small" onClick={() => set({ from: todayIn(zone).toString(), to: '' })}>
            From today on
          </Button>
        </div>
      </form>
      <ErrorNotice error={waiting ? locations.error : undefined} />
      <p class="meta">
        Dates are days in {zoneCity(zone)} time ({zone}); each appointment shows its clinic’s time.
        {filters.patient_id && (
          <>
            {' '}
            <Badge kind="filter">Patient: {patient.data ? personName(patient.data) : `#${filters.patient_id}`}</Badge>{' '}
            <Button variant="link" onClick={() => set({ patient_id: '' })}>
              Show every patient
            </Button>
          </>
        )}
      </p>
      {!waiting && !list.loading && !list.error && list.items.length === 0 && <Empty>No appointments match these filters.</Empty>}
      {!waiting && (
        <ul class="list" aria-label="Appointments">
          {list.items.map((a) => {
            const aZone = appointmentZone(a, locations.data);
            return (
              <li key={a.id} class="list-item admin-appointment">
                <div>
                  <a href={href(`/appointments/${a.id}`)} class="admin-appointment__when">
                    {whenText(a.start_time_utc, aZone)}
                    <span class="visually-hidden">
                      : {appointmentPatient(a)} with {appointmentDoctor(a, doctors.data)}
                    </span>
                  </a>
                  <p class="meta">
                    {appointmentPatient(a)} with {appointmentDoctor(a, doctors.data)} · {appointmentLocation(a, locations.data)}
                    {a.reason && ` · ${a.reason}`}
                  </p>
                </div>
                <StatusBadge status={a.status} />
              </li>
            );
          })}
        </ul>
      )}
      <PagerFooter list={list} noun="appointments" />
    </div>
  );
}

export function AppointmentScreen({ params }: ScreenProps) {
  const id = Number(params.id);
  const appointment = useAsync((signal) => api.get<AppointmentWithPeople>(`/appointments/${id}`, undefined, signal), [id]);
  const locations = useLocations();
  const doctors = useDoctors();
  // Older servers name only the patient's id; the record gives the name.
  const patientId = appointment.data && !appointment.data.patient ? appointment.data.patient_id : null;
  const patientRecord = useAsync(
    (signal) => (patientId === null ? Promise.resolve(null) : api.get<Patient>(`/patients/${patientId}`, undefined, signal)),
    [patientId],
  );
  const [message, setMessage] = useState<string | null>(null);
  const [cancelling, setCancelling] = useState(false);
  const [rescheduling, setRescheduling] = useState(false);
  const mark = useAction(async (action: 'complete' | 'no-show') => {
    appointment.setData(await api.post<AppointmentWithPeople>(`/appointments/${id}/${action}`));
    setMessage(action === 'complete' ? 'Marked as completed.' : 'Marked as a no-show.');
  });

  if (appointment.loading && !appointment.data) return <Loading />;
  if (!appointment.data) return <ErrorNotice error={appointment.error} />;
  const a: AppointmentWithPeople = patientRecord.data && !appointment.data.patient ? { ...appointment.data, patient: patientRecord.data } : appointment.data;
  const zone = appointmentZone(a, locations.data);
  const location = locations.data?.find((l) => l.id === a.location_id);
  const doctor = doctors.data?.find((d) => d.id === a.doctor_id);
  const started = Date.parse(a.start_time_utc) <= Date.now();
  const scheduled = a.status === 'scheduled';

  return (
    <div class="stack admin-page">
      <p>
        <a href={href('/appointments')}>← All appointments</a>
      </p>
      <PageHeader title={`${appointmentPatient(a)} with ${appointmentDoctor(a, doctors.data)}`}>
        <StatusBadge status={a.status} />
      </PageHeader>
      {message && <Notice kind="success">{message}</Notice>}
      <section class="card" aria-labelledby="details-title">
        <h2 id="details-title">Appointment {a.id}</h2>
        <dl class="admin-facts">
          <dt>When</dt>
          <dd>
            {whenText(a.start_time_utc, zone)} ({zoneCity(zone)} time)
          </dd>
          <dt>Where</dt>
          <dd>{appointmentLocation(a, locations.data)}</dd>
          <dt>Patient</dt>
          <dd>
            <a href={href(`/people/patients/${a.patient_id}`)}>{appointmentPatient(a)}</a>
          </dd>
          <dt>Doctor</dt>
          <dd>
            {appointmentDoctor(a, doctors.data)}
            {(a.doctor?.specialization ?? doctor?.specialization) && `, ${a.doctor?.specialization ?? doctor?.specialization}`}
          </dd>
          <dt>Reason</dt>
          <dd>{a.reason ?? '—'}</dd>
          {a.cancellation_reason && (
            <>
              <dt>Cancelled because</dt>
              <dd>{a.cancellation_reason}</dd>
            </>
          )}
          {a.rescheduled_to_id != null && (
            <>
              <dt>Moved to</dt>
              <dd>
                <a href={href(`/appointments/${a.rescheduled_to_id}`)}>Appointment {a.rescheduled_to_id}</a>
              </dd>
            </>
          )}
        </dl>
        {scheduled && (
          <div class="row">
            <Button variant="secondary" onClick={() => setRescheduling(!rescheduling)} aria-expanded={rescheduling ? 'true' : 'false'}>
              Reschedule
            </Button>
            <Button variant="danger" onClick={() => setCancelling(true)}>
              Cancel appointment
            </Button>
            {started && (
              <>
                <Button variant="secondary" busy={mark.busy} onClick={() => void mark.run('complete')}>
                  Mark completed
                </Button>
                <Button variant="secondary" busy={mark.busy} onClick={() => void mark.run('no-show')}>
                  Mark no-show
                </Button>
              </>
            )}
          </div>
        )}
        <ErrorNotice error={mark.error} />
      </section>
      {rescheduling && scheduled && doctor && location && (
        <Reschedule
          appointment={a}
          doctor={doctor}
          location={location}
          onDone={(moved) => {
            setRescheduling(false);
            setMessage(`Moved to ${whenText(moved.start_time_utc, appointmentZone(moved, locations.data))}.`);
            // A move to another doctor books a new appointment in place of this one.
            if (moved.id !== a.id) navigate(`/appointments/${moved.id}`);
            else appointment.setData(moved);
          }}
        />
      )}
      <CancelDialog
        appointmentId={a.id}
        open={cancelling}
        onClose={() => setCancelling(false)}
        onCancelled={(cancelled) => {
          appointment.setData(cancelled);
          setCancelling(false);
          setMessage('The appointment is cancelled and its time is free again.');
        }}
      />
      <Ledger appointmentId={a.id} currency={defaultCurrency(location)} zone={zone} zoneName={`${zoneCity(zone)} time`} />
    </div>
  );
}

function Reschedule({
  appointment,
  doctor,
  location,
  onDone,
}: {
  appointment: AppointmentWithPeople;
  doctor: Doctor;
  location: Location;
  onDone: (moved: AppointmentWithPeople) => void;
}) {
  const [slot, setSlot] = useState<Slot | null>(null);
  const [refreshKey, setRefreshKey] = useState(0);
  const move = useAction(async () => {
    if (!slot) return;
    try {
      onDone(await api.post<AppointmentWithPeople>(`/appointments/${appointment.id}/reschedule`, { slot_id: slot.id }));
      setSlot(null);
    } catch (error) {
      setRefreshKey((k) => k + 1);
      throw error;
    }
  });
  const zone = location.timezone;
  return (
    <>
      <SlotPicker doctor={doctor} location={location} title="Move to another free time" refreshKey={refreshKey} onPick={setSlot} />
      <Dialog
        title="Move the appointment?"
        open={slot !== null}
        onClose={() => {
          move.setError(undefined);
          setSlot(null);
        }}
      >
        {slot && (
          <div class="stack">
            <p>
              From {whenText(appointment.start_time_utc, zone)} to <strong>{whenText(slot.start_time_utc, zone)}</strong> ({zoneCity(zone)} time).
            </p>
            <ErrorNotice error={move.error} />
            <div class="row">
              <Button busy={move.busy} onClick={() => void move.run()}>
                Move appointment
              </Button>
              <Button variant="secondary" onClick={() => setSlot(null)}>
                Pick another time
              </Button>
            </div>
          </div>
        )}
      </Dialog>
    </>
  );
}

function CancelDialog({
  appointmentId,
  open,
  onClose,
  onCancelled,
}: {
  appointmentId: number;
  open: boolean;
  onClose: () => void;
  onCancelled: (a: AppointmentWithPeople) => void;
}) {
  const [reason, setReason] = useState('');
  const cancel = useAction(async () => {
    const body = reason.trim() ? { reason: reason.trim() } : {};
    onCancelled(await api.post<AppointmentWithPeople>(`/appointments/${appointmentId}/cancel`, body));
    setReason('');
  });
  return (
    <Dialog
      title="Cancel the appointment?"
      open={open}
      onClose={() => {
        cancel.setError(undefined);
        onClose();
      }}
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void cancel.run();
        }}
      >
        <Field
          label="Reason (optional)"
          name="reason"
          value={reason}
          maxLength={255}
          hint="The patient and the doctor see it."
          onInput={(e) => setReason(e.currentTarget.value)}
          error={cancel.error}
        />
        <ErrorNotice error={cancel.error} />
        <div class="row">
          <Button type="submit" variant="danger" busy={cancel.busy}>
            Cancel appointment
          </Button>
          <Button variant="secondary" onClick={onClose}>
            Keep it
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
