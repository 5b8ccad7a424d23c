// One appointment as its doctor works on it: who, when (in the location's time), why, the visit's
// outcome, the doctor's notes, the prescriptions (corrected by replacing, never by editing) and
// the conversation with the patient.
import { useEffect, useState } from 'preact/hooks';
import { api, newIdempotencyKey } from '../lib/api';
import { useAction, useAsync } from '../lib/hooks';
import { useLiveEvents, useReconnect } from '../lib/live';
import { href } from '../lib/router';
import type { ScreenProps } from '../lib/routes';
import { formatDate, formatDateTime, zoneAbbreviation, zoneCity } from '../lib/time';
import type { Appointment, Prescription } from '../lib/types';
import { Button, Empty, ErrorNotice, Loading, Notice, PageHeader, StatusBadge, TextArea } from '../components/ui';
import { ChatThread } from '../chat';
import { patientLabel, timeRange, useDoctorContext, zoneOf, type NamedAppointment } from './model';
import { VisitActions } from './schedule';

export function AppointmentScreen({ params }: ScreenProps) {
  const id = Number(params.id);
  const { context } = useDoctorContext();
  const appointment = useAsync((signal) => api.get<NamedAppointment>(`/appointments/${id}`, undefined, signal), [id]);
  useLiveEvents(
    (event) => {
      if (event.type === 'appointment' && event.appointment.id === id) {
        appointment.setData((old) => ({ ...old, ...event.appointment }));
      }
    },
    [id],
  );
  useReconnect(() => appointment.reload(), []);

  if (appointment.error) {
    return (
      <div class="stack">
        <PageHeader title="Appointment" />
        <ErrorNotice error={appointment.error} />
        <p>
          <a href={href('/schedule')}>Back to the schedule</a>
        </p>
      </div>
    );
  }
  const a = appointment.data;
  if (!a) return <Loading label="Loading the appointment…" />;
  const zone = zoneOf(a);
  const locationName = a.location?.name ?? context.data?.locationById(a.location_id)?.name;
  const merge = (updated: Appointment) => appointment.setData((old) => ({ ...old, ...updated }));

  return (
    <div class="stack doctor-appointment-detail">
      <p class="doctor-back">
        <a href={href('/schedule', { view: 'day', date: a.local?.start.slice(0, 10) })}>← Schedule</a>
      </p>
      <PageHeader title={`Appointment with ${patientLabel(a)}`}>
        <StatusBadge status={a.status} />
      </PageHeader>
      <section class="card stack" aria-labelledby="visit-heading">
        <h2 id="visit-heading">Visit</h2>
        <dl class="doctor-facts">
          <dt>When</dt>
          <dd>
            {formatDate(a.start_time_utc, zone)}, {timeRange(a.start_time_utc, a.end_time_utc, zone)}
            <span class="meta"> · {zoneCity(zone)} time</span>
          </dd>
          <dt>Where</dt>
          <dd>{locationName ?? 'No location'}</dd>
          <dt>Patient</dt>
          <dd>{patientLabel(a)}</dd>
          <dt>Reason</dt>
          <dd>{a.reason ?? <span class="empty">None given</span>}</dd>
          {a.cancellation_reason && (
            <>
              <dt>Cancellation reason</dt>
              <dd>{a.cancellation_reason}</dd>
            </>
          )}
        </dl>
        <VisitActions appointment={a} onChanged={merge} />
      </section>
      <div class="grid grid--2 doctor-grid-top">
        <NotesEditor appointment={a} onSaved={merge} />
        <Prescriptions appointment={a} />
      </div>
      <ChatThread appointment={a} />
    </div>
  );
}

function NotesEditor({ appointment, onSaved }: { appointment: NamedAppointment; onSaved: (a: Appointment) => void }) {
  const [notes, setNotes] = useState(appointment.notes ?? '');
  const [saved, setSaved] = useState(false);
  // A note changed elsewhere (another tab, a live event) replaces the text only when nothing is being typed.
  const [base, setBase] = useState(appointment.notes ?? '');
  useEffect(() => {
    const incoming = appointment.notes ?? '';
    if (incoming !== base && notes === base) setNotes(incoming);
    setBase(incoming);
  }, [appointment.notes]);
  const save = useAction(async () => {
    const updated = await api.patch<Appointment>(`/appointments/${appointment.id}`, { notes: notes.trim() === '' ? null : notes });
    setBase(updated.notes ?? '');
    onSaved(updated);
    setSaved(true);
  });
  const dirty = notes !== base;
  return (
    <section class="card" aria-labelledby="notes-heading">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          setSaved(false);
          void save.run();
        }}
      >
        <h2 id="notes-heading">Notes</h2>
        <TextArea
          label="Doctor's notes"
          name="notes"
          hint="Only you and the clinic's staff see these notes."
          value={notes}
          rows={6}
          error={save.error}
          onInput={(e) => {
            setNotes(e.currentTarget.value);
            setSaved(false);
          }}
        />
        <ErrorNotice error={save.error} />
        {saved && !dirty && <Notice kind="success">Notes saved.</Notice>}
        <div class="row">
          <Button type="submit" busy={save.busy} disabled={!dirty}>
            Save notes
          </Button>
        </div>
      </form>
    </section>
  );
}

function Prescriptions({ appointment }: { appointment: NamedAppointment }) {
  const list = useAsync(
    (signal) => api.get<{ items: Prescription[] }>(`/appointments/${appointment.id}/prescriptions`, undefined, signal),
    [appointment.id],
  );
  const [replacing, setReplacing] = useState<number | null>(null);
  const canPrescribe = appointment.status === 'scheduled' || appointment.status === 'completed';
  const zone = zoneOf(appointment);
  const items = list.data?.items ?? [];

  const issued = (created: Prescription) => {
    setReplacing(null);
    list.setData((old) => ({
      items: [
        ...(old?.items ?? []).map((p) =>
          p.id === created.supersedes_id ? { ...p, status: 'superseded' as const, superseded_by: created.id } : p,
        ),
        created,
      ],
    }));
    list.reload();
  };

  return (
    <section class="card stack" aria-labelledby="prescriptions-heading">
      <h2 id="prescriptions-heading">Prescriptions</h2>
      {list.error ? (
        <ErrorNotice error={list.error} />
      ) : !list.data ? (
        <Loading label="Loading prescriptions…" />
      ) : items.length === 0 ? (
        <Empty>No prescriptions for this appointment yet.</Empty>
      ) : (
        <ul class="list" aria-label="Prescriptions of this appointment">
          {items.map((p) => (
            <li key={p.id} class={`list-item doctor-prescription doctor-prescription--${p.status}`} aria-label={`Prescription ${p.id}, ${p.status === 'active' ? 'active' : 'replaced'}`}>
              <div class="row row--between">
                <span class="meta">
                  #{p.id} · issued {formatDateTime(p.issued_at, zone)} {zoneAbbreviation(p.issued_at, zone)}
                </span>
                <StatusBadge status={p.status} />
              </div>
              <p class="doctor-instructions">{p.instructions}</p>
              {p.supersedes_id !== null && <p class="meta">Replaces #{p.supersedes_id}.</p>}
              {p.superseded_by !== null && <p class="meta">Replaced by #{p.superseded_by}.</p>}
              {p.status === 'active' && canPrescribe && replacing !== p.id && (
                <Button variant="secondary" onClick={() => setReplacing(p.id)} aria-label={`Replace prescription #${p.id}`}>
                  Replace
                </Button>
              )}
              {replacing === p.id && (
                <PrescriptionForm
                  appointmentId={appointment.id}
                  supersedes={p}
                  onIssued={issued}
                  onCancel={() => setReplacing(null)}
                />
              )}
            </li>
          ))}
        </ul>
      )}
      {canPrescribe ? (
        replacing === null && <PrescriptionForm appointmentId={appointment.id} onIssued={issued} />
      ) : (
        <p class="hint">A cancelled or missed appointment takes no prescriptions.</p>
      )}
    </section>
  );
}

function PrescriptionForm({
  appointmentId,
  supersedes,
  onIssued,
  onCancel,
}: {
  appointmentId: number;
  supersedes?: Prescription;
  onIssued: (p: Prescription) => void;
  onCancel?: () => void;
}) {
  const [instructions, setInstructions] = useState(supersedes?.instructions ?? '');
  // One key per intention: a retry of the same submission is one prescription, not two.
  const [key, setKey] = useState(newIdempotencyKey);
  const issue = useAction(async () => {
    const body = supersedes ? { instructions, supersedes_id: supersedes.id } : { instructions };
    const created = await api.post<Prescription>(`/appointments/${appointmentId}/prescriptions`, body, key);
    setInstructions('');
    setKey(newIdempotencyKey());
    onIssued(created);
  });
  return (
    <form
      class="doctor-prescription-form"
      onSubmit={(e) => {
        e.preventDefault();
        void issue.run();
      }}
    >
      <TextArea
        label={supersedes ? `Corrected instructions (replacing #${supersedes.id})` : 'New prescription'}
        name="instructions"
        hint={supersedes ? 'The old prescription stays on record, marked as replaced.' : 'Medicine, dose, how often, for how long.'}
        value={instructions}
        rows={4}
        required
        error={issue.error}
        onInput={(e) => setInstructions(e.currentTarget.value)}
      />
      <ErrorNotice error={issue.error} />
      <div class="row">
        <Button type="submit" busy={issue.busy} disabled={instructions.trim() === ''}>
          {supersedes ? 'Issue replacement' : 'Prescribe'}
        </Button>
        {onCancel && (
          <Button variant="secondary" onClick={onCancel}>
            Keep the original
          </Button>
        )}
      </div>
    </form>
  );
}
