// The patient's prescriptions, newest first. Prescriptions are never edited: a correction
// replaces one, so replaced ones stay listed, marked "Replaced" and linked to their replacement.
import { useEffect } from 'preact/hooks';
import { api } from '../lib/api';
import { useAsync } from '../lib/hooks';
import { href } from '../lib/router';
import type { ScreenProps } from '../lib/routes';
import { useSession } from '../lib/session';
import { formatDate } from '../lib/time';
import type { Prescription } from '../lib/types';
import { Empty, ErrorNotice, Loading, PageHeader, StatusBadge } from '../components/ui';
import { appointmentDoctor, appointmentZone, loadDirectory, loadMyAppointments } from './common';

export function PrescriptionsScreen({ query }: ScreenProps) {
  const { session } = useSession();
  const focus = Number(query.get('show') ?? '');
  const data = useAsync(
    async (signal) => {
      const [answer, appointments, directory] = await Promise.all([
        api.get<{ items: Prescription[] }>(`/patients/${session.user.id}/prescriptions`, undefined, signal),
        loadMyAppointments(),
        loadDirectory(),
      ]);
      return {
        prescriptions: [...answer.items].reverse(),
        appointments: new Map(appointments.map((a) => [a.id, a])),
        directory,
      };
    },
    [session.user.id],
  );

  useEffect(() => {
    if (!focus || !data.data) return;
    const target = document.getElementById(`prescription-${focus}`);
    target?.scrollIntoView({ block: 'center' });
    target?.focus();
  }, [focus, data.data]);

  return (
    <div class="stack">
      <PageHeader title="My prescriptions" />
      {data.loading && <Loading label="Loading your prescriptions…" />}
      <ErrorNotice error={data.error} />
      {data.data && data.data.prescriptions.length === 0 && (
        <Empty>You have no prescriptions. A doctor's prescription from a visit shows up here.</Empty>
      )}
      {data.data && data.data.prescriptions.length > 0 && (
        <ul class="list">
          {data.data.prescriptions.map((p) => {
            const appointment = data.data?.appointments.get(p.appointment_id);
            const zone = appointment ? appointmentZone(appointment, data.data?.directory) : undefined;
            const doctor = appointment
              ? appointmentDoctor(appointment, data.data?.directory)
              : `Doctor #${p.doctor_id}`;
            return (
              <li
                key={p.id}
                id={`prescription-${p.id}`}
                tabIndex={-1}
                class={`list-item prescription${p.status === 'superseded' ? ' prescription--replaced' : ''}${focus === p.id ? ' prescription--focus' : ''}`}
                aria-labelledby={`prescription-${p.id}-title`}
              >
                <div class="row row--between">
                  <h2 class="prescription__title" id={`prescription-${p.id}-title`}>
                    Prescription {p.id}
                  </h2>
                  <StatusBadge status={p.status} />
                </div>
                <p class="prescription__instructions">{p.instructions}</p>
                <p class="meta">
                  {doctor}, issued {zone ? formatDate(p.issued_at, zone) : formatDate(p.issued_at, 'UTC')}
                  {' · '}
                  <a href={href(`/appointments/${p.appointment_id}`)}>See the visit</a>
                </p>
                {p.supersedes_id !== null && (
                  <p class="meta">
                    Replaces <a href={href('/prescriptions', { show: p.supersedes_id })}>prescription {p.supersedes_id}</a>.
                  </p>
                )}
                {p.superseded_by !== null && (
                  <p class="prescription__replaced">
                    Replaced by <a href={href('/prescriptions', { show: p.superseded_by })}>prescription {p.superseded_by}</a>{' '}
                    — follow that one instead.
                  </p>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}
