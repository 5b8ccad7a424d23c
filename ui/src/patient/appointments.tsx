// The patient's appointments: upcoming and past lists, and one appointment's page with its
// details, balance, prescriptions and messages, where it can be cancelled or moved to another
// free time of the same doctor.
import { useState } from 'preact/hooks';
import { api, ApiError, fetchAll, type Page } from '../lib/api';
import { useAction, useAsync } from '../lib/hooks';
import { useLiveEvents, useReconnect } from '../lib/live';
import { href, navigate } from '../lib/router';
import type { ScreenProps } from '../lib/routes';
import { dateIn, formatDate, formatMoney } from '../lib/time';
import type { Appointment, Doctor, Prescription, Slot } from '../lib/types';
import { useUnread } from '../lib/unread';
import { Badge, Button, Dialog, Empty, ErrorNotice, Loading, Notice, PageHeader, StatusBadge, TextArea } from '../components/ui';
import { ChatThread } from '../chat';
import {
  appointmentDoctor,
  appointmentLocationName,
  appointmentSpecialization,
  appointmentZone,
  ClinicTime,
  fetchAppointment,
  isFuture,
  loadDirectory,
  nowInstant,
  type Directory,
  type PatientAppointment,
} from './common';
import { conflictMessage } from './find_doctor';
import { SlotPicker } from './slot_picker';

const pageSize = 20;

function AppointmentItem({ appointment, directory }: { appointment: PatientAppointment; directory?: Directory }) {
  const counts = useUnread();
  const zone = appointmentZone(appointment, directory);
  const unread = counts.forAppointment(appointment.id);
  const where = appointmentLocationName(appointment, directory);
  const specialization = appointmentSpecialization(appointment, directory);
  return (
    <li class="list-item appointment-item">
      <div class="row row--between">
        <a class="appointment-item__title" href={href(`/appointments/${appointment.id}`)}>
          {appointmentDoctor(appointment, directory)}
          {specialization && <span class="meta"> · {specialization}</span>}
        </a>
        <span class="row">
          {unread > 0 && (
            <Badge kind="unread">
              {unread}
              <span class="visually-hidden"> unread {unread === 1 ? 'message' : 'messages'}</span>
            </Badge>
          )}
          <StatusBadge status={appointment.status} />
        </span>
      </div>
      <p class="appointment-item__when">
        <ClinicTime instant={appointment.start_time_utc} zone={zone} />
      </p>
      {where && <p class="meta">{where}</p>}
      {appointment.reason && <p class="meta">Reason: {appointment.reason}</p>}
    </li>
  );
}

/** Upcoming appointments, soonest first, a page at a time from the server. */
function UpcomingList({ directory }: { directory?: Directory }) {
  const [extra, setExtra] = useState<{ items: PatientAppointment[]; cursor: string | null } | null>(null);
  const first = useAsync(
    (signal) => api.get<Page<PatientAppointment>>('/appointments', { from: nowInstant(), limit: pageSize }, signal),
    [],
  );
  useLiveEvents((event) => {
    if (event.type === 'appointment') {
      setExtra(null);
      first.reload();
    }
  }, []);
  useReconnect(() => {
    setExtra(null);
    first.reload();
  }, []);
  const more = useAction(async () => {
    const cursor = extra ? extra.cursor : first.data?.next_cursor;
    if (!cursor) return;
    const answer = await api.get<Page<PatientAppointment>>('/appointments', { from: nowInstant(), limit: pageSize, cursor });
    setExtra({ items: [...(extra?.items ?? []), ...answer.items], cursor: answer.next_cursor });
  });

  if (first.loading && !first.data) return <Loading label="Loading your appointments…" />;
  if (first.error !== undefined) return <ErrorNotice error={first.error} />;
  const items = [...(first.data?.items ?? []), ...(extra?.items ?? [])];
  const cursor = extra ? extra.cursor : first.data?.next_cursor;
  if (items.length === 0) {
    return (
      <Empty>
        You have no upcoming appointments. <a href={href('/doctors')}>Find a doctor</a> to book one.
      </Empty>
    );
  }
  return (
    <>
      <ul class="list">
        {items.map((a) => (
          <AppointmentItem key={a.id} appointment={a} directory={directory} />
        ))}
      </ul>
      <ErrorNotice error={more.error} />
      {cursor && (
        <Button variant="secondary" busy={more.busy} onClick={() => void more.run()}>
          Show more upcoming appointments
        </Button>
      )}
    </>
  );
}

/** Past appointments, most recent first (the server lists oldest first, so all are fetched). */
function PastList({ directory }: { directory?: Directory }) {
  const [shown, setShown] = useState(pageSize);
  const past = useAsync(async () => {
    const items = await fetchAll<PatientAppointment>('/appointments', { to: nowInstant() });
    return items.reverse();
  }, []);
  if (past.loading) return <Loading label="Loading your past appointments…" />;
  if (past.error !== undefined) return <ErrorNotice error={past.error} />;
  const items = past.data ?? [];
  if (items.length === 0) return <Empty>You have no past appointments.</Empty>;
  return (
    <>
      <ul class="list">
        {items.slice(0, shown).map((a) => (
          <AppointmentItem key={a.id} appointment={a} directory={directory} />
        ))}
      </ul>
      {items.length > shown && (
        <Button variant="secondary" onClick={() => setShown(shown + pageSize)}>
          Show older appointments
        </Button>
      )}
    </>
  );
}

export function AppointmentsScreen({ query }: ScreenProps) {
  const tab = query.get('show') === 'past' ? 'past' : 'upcoming';
  const directory = useAsync(() => loadDirectory(), []);
  return (
    <div class="stack">
      <PageHeader title="My appointments">
        <a class="button button--primary" href={href('/doctors')}>
          Book an appointment
        </a>
      </PageHeader>
      <nav class="tabs" aria-label="Which appointments">
        <a href={href('/appointments')} aria-current={tab === 'upcoming' ? 'page' : undefined}>
          Upcoming
        </a>
        <a href={href('/appointments', { show: 'past' })} aria-current={tab === 'past' ? 'page' : undefined}>
          Past
        </a>
      </nav>
      {tab === 'upcoming' ? <UpcomingList directory={directory.data} /> : <PastList directory={directory.data} />}
    </div>
  );
}

function BalanceList({ appointment }: { appointment: PatientAppointment }) {
  const balance = appointment.balance ?? [];
  if (balance.length === 0) return <p class="meta">No payments recorded.</p>;
  return (
    <ul class="plain-list">
      {balance.map((b) => (
        <li key={b.currency}>
          <strong>{formatMoney(b.net_cents, b.currency)}</strong> paid
          {b.refunded_cents > 0 && (
            <span class="meta">
              {' '}
              ({formatMoney(b.paid_cents, b.currency)} paid, {formatMoney(b.refunded_cents, b.currency)} refunded)
            </span>
          )}
        </li>
      ))}
    </ul>
  );
}

function AppointmentPrescriptions({ appointmentId }: { appointmentId: number }) {
  const list = useAsync(
    (signal) => api.get<{ items: Prescription[] }>(`/appointments/${appointmentId}/prescriptions`, undefined, signal),
    [appointmentId],
  );
  if (list.loading) return <Loading label="Loading prescriptions…" />;
  if (list.error !== undefined) return <ErrorNotice error={list.error} />;
  const items = list.data?.items ?? [];
  if (items.length === 0) return <p class="meta">No prescriptions from this visit.</p>;
  return (
    <ul class="plain-list">
      {items.map((p) => (
        <li key={p.id}>
          {p.status === 'superseded' && <StatusBadge status={p.status} />} {p.instructions}{' '}
          <a href={href('/prescriptions', { show: p.id })}>
            See prescription<span class="visually-hidden"> {p.id}</span>
          </a>
        </li>
      ))}
    </ul>
  );
}

export function AppointmentDetailScreen({ params, query }: ScreenProps) {
  const id = Number(params.id);
  const appointment = useAsync((signal) => fetchAppointment(id, signal), [id]);
  const directory = useAsync(() => loadDirectory(), []);
  const [cancelOpen, setCancelOpen] = useState(false);
  const [cancelReason, setCancelReason] = useState('');
  const [rescheduling, setRescheduling] = useState(false);
  const [moveTo, setMoveTo] = useState<Slot | null>(null);
  const [notice, setNotice] = useState<string | null>(query.get('booked') ? 'Your appointment is booked.' : null);
  const [conflict, setConflict] = useState<string | null>(null);
  const [refreshKey, setRefreshKey] = useState(0);

  useLiveEvents(
    (event) => {
      if (event.type === 'appointment' && event.appointment.id === id) appointment.reload();
    },
    [id],
  );
  useReconnect(() => appointment.reload(), [id]);

  const cancel = useAction(async () => {
    const body = cancelReason.trim() ? { reason: cancelReason.trim() } : {};
    const updated = await api.post<PatientAppointment>(`/appointments/${id}/cancel`, body);
    appointment.setData((old) => ({ ...old, ...updated }));
    setCancelOpen(false);
    setNotice('Your appointment is cancelled.');
    appointment.reload();
  });

  const reschedule = useAction(async (slot: Slot) => {
    try {
      const moved = await api.post<Appointment>(`/appointments/${id}/reschedule`, { slot_id: slot.id });
      setMoveTo(null);
      setRescheduling(false);
      setConflict(null);
      setNotice('Your appointment is moved to the new time.');
      // A move to another doctor books a new appointment in place of this one.
      if (moved.id !== id) navigate(`/appointments/${moved.id}`);
      else appointment.reload();
    } catch (error) {
      if (error instanceof ApiError && error.status === 409) {
        setConflict(await conflictMessage(slot, error));
        setMoveTo(null);
        setRefreshKey((k) => k + 1);
        return;
      }
      throw error;
    }
  });

  const doctor = useAsync(
    async (signal) => {
      if (!appointment.data) return null;
      return api.get<Doctor>(`/doctors/${appointment.data.doctor_id}`, undefined, signal).catch(() => null);
    },
    [appointment.data?.doctor_id],
  );

  if (appointment.loading && !appointment.data) return <Loading label="Loading the appointment…" />;
  if (!appointment.data) {
    return (
      <div class="stack">
        <PageHeader title="Appointment" />
        {appointment.error instanceof ApiError && appointment.error.status === 404 ? (
          <Notice kind="warning">There is no such appointment in your account.</Notice>
        ) : (
          <ErrorNotice error={appointment.error} />
        )}
        <p>
          <a href={href('/appointments')}>Back to my appointments</a>
        </p>
      </div>
    );
  }
  const a = appointment.data;
  const dir = directory.data;
  const zone = appointmentZone(a, dir);
  const location = a.location_id !== null ? dir?.locations.get(a.location_id) : undefined;
  const changeable = a.status === 'scheduled' && isFuture(a.start_time_utc);
  const specialization = appointmentSpecialization(a, dir);

  return (
    <div class="stack">
      <p class="back-link">
        <a href={href('/appointments')}>← My appointments</a>
      </p>
      <PageHeader title={`Appointment on ${formatDate(a.start_time_utc, zone)}`}>
        {changeable && (
          <>
            <Button variant="secondary" onClick={() => { setConflict(null); setRescheduling(!rescheduling); }} aria-expanded={rescheduling ? 'true' : 'false'}>
              {rescheduling ? 'Keep this time' : 'Reschedule'}
            </Button>
            <Button variant="danger" onClick={() => { setCancelReason(''); cancel.setError(undefined); setCancelOpen(true); }}>
              Cancel appointment
            </Button>
          </>
        )}
      </PageHeader>
      {notice && <Notice kind="success">{notice}</Notice>}
      <div class="grid grid--2">
        <section class="card" aria-labelledby="appointment-facts">
          <h2 id="appointment-facts">Details</h2>
          <dl class="facts">
            <dt>Doctor</dt>
            <dd>
              {appointmentDoctor(a, dir)}
              {specialization && <span class="meta">, {specialization}</span>}
            </dd>
            <dt>When</dt>
            <dd>
              <ClinicTime instant={a.start_time_utc} zone={zone} />
            </dd>
            <dt>Where</dt>
            <dd>
              {location
                ? `${location.name}, ${location.address_line1}, ${location.city}`
                : (appointmentLocationName(a, dir) ?? 'Not set')}
            </dd>
            <dt>Status</dt>
            <dd>
              <StatusBadge status={a.status} />
            </dd>
            <dt>Reason</dt>
            <dd>{a.reason ?? <span class="meta">None given</span>}</dd>
            {a.cancellation_reason && (
              <>
                <dt>Cancellation reason</dt>
                <dd>{a.cancellation_reason}</dd>
              </>
            )}
            {a.rescheduled_to_id != null && (
              <>
                <dt>Moved to</dt>
                <dd>
                  <a href={href(`/appointments/${a.rescheduled_to_id}`)}>Your new appointment</a>
                </dd>
              </>
            )}
            {a.notes && (
              <>
                <dt>Doctor's notes</dt>
                <dd class="pre-line">{a.notes}</dd>
              </>
            )}
          </dl>
        </section>
        <div class="stack">
          <section class="card" aria-labelledby="appointment-balance">
            <h2 id="appointment-balance">Balance</h2>
            <BalanceList appointment={a} />
          </section>
          <section class="card" aria-labelledby="appointment-prescriptions">
            <h2 id="appointment-prescriptions">Prescriptions</h2>
            <AppointmentPrescriptions appointmentId={a.id} />
          </section>
        </div>
      </div>
      {conflict && (
        <p class="notice notice--warning" role="alert">
          {conflict}
        </p>
      )}
      {rescheduling && changeable && doctor.data && location && (
        <SlotPicker
          doctor={doctor.data}
          location={location}
          title="Pick a new time"
          refreshKey={refreshKey}
          initialDate={dateIn(a.start_time_utc, zone)}
          onPick={(slot) => {
            reschedule.setError(undefined);
            setMoveTo(slot);
          }}
        />
      )}
      {rescheduling && changeable && doctor.loading && <Loading label="Loading free times…" />}
      {rescheduling && changeable && !doctor.loading && (!doctor.data || !location) && (
        <Notice kind="warning">This appointment cannot be moved online. Please call the clinic.</Notice>
      )}
      <ChatThread appointment={a} />

      <Dialog title="Cancel this appointment?" open={cancelOpen} onClose={() => setCancelOpen(false)}>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void cancel.run();
          }}
        >
          <p>
            <ClinicTime instant={a.start_time_utc} zone={zone} /> with {appointmentDoctor(a, dir)}. The time is freed for
            other patients.
          </p>
          <TextArea
            label="Reason for cancelling"
            name="reason"
            maxLength={255}
            hint="Optional."
            value={cancelReason}
            onInput={(e) => setCancelReason(e.currentTarget.value)}
            error={cancel.error}
          />
          <ErrorNotice error={cancel.error} />
          <div class="row">
            <Button type="submit" variant="danger" busy={cancel.busy}>
              Yes, cancel it
            </Button>
            <Button variant="secondary" onClick={() => setCancelOpen(false)}>
              Keep it
            </Button>
          </div>
        </form>
      </Dialog>

      <Dialog title="Move to this time?" open={moveTo !== null} onClose={() => setMoveTo(null)}>
        {moveTo && (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void reschedule.run(moveTo);
            }}
          >
            <dl class="facts">
              <dt>From</dt>
              <dd>
                <ClinicTime instant={a.start_time_utc} zone={zone} />
              </dd>
              <dt>To</dt>
              <dd>
                <ClinicTime instant={moveTo.start_time_utc} zone={zone} />
              </dd>
            </dl>
            <ErrorNotice error={reschedule.error} />
            <div class="row">
              <Button type="submit" busy={reschedule.busy}>
                Move appointment
              </Button>
              <Button variant="secondary" onClick={() => setMoveTo(null)}>
                Keep the old time
              </Button>
            </div>
          </form>
        )}
      </Dialog>
    </div>
  );
}

