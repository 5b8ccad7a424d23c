// The doctor's schedule: one day or one week of appointments across locations, each in its own
// location's time with the zone named, with "completed" / "no-show" at hand once a visit has begun.
import { useEffect, useState } from 'preact/hooks';
import { api, fetchAll } from '../lib/api';
import { useAction, useAsync } from '../lib/hooks';
import { href, navigate } from '../lib/router';
import { dateIn, formatPlainDate, mondayOf, startOfDay, todayIn, type PlainDate } from '../lib/time';
import type { Appointment } from '../lib/types';
import { Button, Empty, ErrorNotice, Loading, PageHeader, StatusBadge } from '../components/ui';
import {
  dateParam,
  patientLabel,
  timeRange,
  zoneName,
  zoneOf,
  type DoctorContext,
  type NamedAppointment,
} from './model';
import { doctorScreen, useReloadOnAppointments, type DoctorScreenProps } from './screen';

type View = 'day' | 'week';

/** The current time, refreshed every half minute (whether a visit has begun changes with it). */
export function useNow(): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), 30000);
    return () => window.clearInterval(timer);
  }, []);
  return now;
}

export const ScheduleScreen = doctorScreen('Loading your schedule…', Schedule);

function Schedule({ doctorId, context, query }: DoctorScreenProps) {
  const zone = context.homeZone;
  const view: View = query.get('view') === 'week' ? 'week' : 'day';
  const today = todayIn(zone);
  const date = dateParam(query.get('date'), today);
  const first = view === 'week' ? mondayOf(date) : date;
  const days = Array.from({ length: view === 'week' ? 7 : 1 }, (_, i) => first.add({ days: i }));
  const from = startOfDay(first, zone);
  const to = startOfDay(first.add({ days: days.length }), zone);

  const appointments = useAsync(
    () => fetchAll<NamedAppointment>('/appointments', { doctor_id: doctorId, from, to }),
    [doctorId, from, to],
  );
  useReloadOnAppointments(doctorId, appointments.reload);

  const go = (target: PlainDate, targetView: View = view) =>
    navigate('/schedule', { view: targetView, date: target.toString() });
  const step = view === 'week' ? { weeks: 1 } : { days: 1 };
  const unit = view === 'week' ? 'week' : 'day';
  const title =
    view === 'week'
      ? `Week of ${formatPlainDate(first, { month: 'short', day: 'numeric' })} – ${formatPlainDate(first.add({ days: 6 }), { month: 'short', day: 'numeric', year: 'numeric' })}`
      : formatPlainDate(date, { weekday: 'long', month: 'long', day: 'numeric', year: 'numeric' });

  const replace = (updated: Appointment) =>
    appointments.setData((old) => (old ?? []).map((a) => (a.id === updated.id ? { ...a, ...updated } : a)));

  return (
    <div class="doctor-schedule">
      <PageHeader title="Schedule">
        <nav class="tabs doctor-view-toggle" aria-label="Schedule view">
          <a href={href('/schedule', { view: 'day', date: date.toString() })} aria-current={view === 'day' ? 'page' : undefined}>
            Day
          </a>
          <a href={href('/schedule', { view: 'week', date: date.toString() })} aria-current={view === 'week' ? 'page' : undefined}>
            Week
          </a>
        </nav>
      </PageHeader>
      <div class="toolbar doctor-date-nav">
        <Button variant="secondary" onClick={() => go(date.subtract(step))}>
          Previous {unit}
        </Button>
        <Button variant="secondary" onClick={() => go(today)} disabled={days.some((d) => d.equals(today))}>
          Today
        </Button>
        <Button variant="secondary" onClick={() => go(date.add(step))}>
          Next {unit}
        </Button>
        <div class="field doctor-date-field">
          <label for="schedule-date">Go to date</label>
          <input
            id="schedule-date"
            type="date"
            value={date.toString()}
            onChange={(e) => {
              const picked = dateParam(e.currentTarget.value, date);
              if (!picked.equals(date)) go(picked);
            }}
          />
        </div>
      </div>
      <h2>{title}</h2>
      <p class="hint">
        Days run midnight to midnight, {zoneName(zone)}. Each appointment shows its own location's time.
      </p>
      {appointments.error ? (
        <ErrorNotice error={appointments.error} />
      ) : !appointments.data ? (
        <Loading label="Loading appointments…" />
      ) : (
        <div class={view === 'week' ? 'doctor-week' : 'stack'}>
          {days.map((day) => {
            const items = appointments.data?.filter((a) => dateIn(a.start_time_utc, zone).equals(day)) ?? [];
            return (
              <section key={day.toString()} class="doctor-day" aria-labelledby={`day-${day.toString()}`}>
                {view === 'week' && (
                  <h3 id={`day-${day.toString()}`}>
                    <a href={href('/schedule', { view: 'day', date: day.toString() })} aria-current={day.equals(today) ? 'date' : undefined}>
                      {formatPlainDate(day, { weekday: 'long', month: 'short', day: 'numeric' })}
                    </a>
                    {day.equals(today) && <span class="badge doctor-today">Today</span>}
                  </h3>
                )}
                {view === 'day' && (
                  <h3 id={`day-${day.toString()}`} class="visually-hidden">
                    Appointments
                  </h3>
                )}
                {items.length === 0 ? (
                  <Empty>No appointments.</Empty>
                ) : (
                  <ul class="list">
                    {items.map((a) => (
                      <AppointmentItem key={a.id} appointment={a} context={context} onChanged={replace} />
                    ))}
                  </ul>
                )}
              </section>
            );
          })}
        </div>
      )}
    </div>
  );
}

function AppointmentItem({
  appointment,
  context,
  onChanged,
}: {
  appointment: NamedAppointment;
  context: DoctorContext;
  onChanged: (a: Appointment) => void;
}) {
  const zone = zoneOf(appointment);
  const locationName = appointment.location?.name ?? context.locationById(appointment.location_id)?.name;
  return (
    <li class={`list-item doctor-appointment doctor-appointment--${appointment.status}`}>
      <div class="row row--between">
        <strong>{timeRange(appointment.start_time_utc, appointment.end_time_utc, zone)}</strong>
        <StatusBadge status={appointment.status} />
      </div>
      <div>
        <a href={href(`/schedule/${appointment.id}`)}>{patientLabel(appointment)}</a>
        {appointment.reason && <span class="meta"> — {appointment.reason}</span>}
      </div>
      {locationName && <div class="meta">{locationName}</div>}
      <VisitActions appointment={appointment} onChanged={onChanged} quiet />
    </li>
  );
}

/**
 * "Mark completed" / "Mark no-show" for a scheduled visit that has begun. Before it begins, a
 * hint says when they come (unless `quiet`, as in lists where it would repeat on every row).
 */
export function VisitActions({
  appointment,
  onChanged,
  quiet = false,
}: {
  appointment: NamedAppointment;
  onChanged: (a: Appointment) => void;
  quiet?: boolean;
}) {
  const now = useNow();
  const mark = useAction(async (outcome: 'complete' | 'no-show') => {
    onChanged(await api.post<Appointment>(`/appointments/${appointment.id}/${outcome}`));
  });
  if (appointment.status !== 'scheduled') return null;
  if (Date.parse(appointment.start_time_utc) > now) {
    return quiet ? null : <p class="hint">It can be marked completed or no-show once it has begun.</p>;
  }
  const who = patientLabel(appointment);
  return (
    <div class="stack doctor-visit-actions">
      <div class="row">
        <Button variant="primary" busy={mark.busy} onClick={() => void mark.run('complete')} aria-label={`Mark completed: ${who}`}>
          Mark completed
        </Button>
        <Button variant="secondary" busy={mark.busy} onClick={() => void mark.run('no-show')} aria-label={`Mark no-show: ${who}`}>
          Mark no-show
        </Button>
      </div>
      <ErrorNotice error={mark.error} />
    </div>
  );
}
