// The doctor's own slots, a week at a time (free, blocked, booked), where one slot is blocked or
// opened again, and time off: a range of days (optionally from/until a time) blocked in one go,
// with the appointments still booked in it listed so the doctor can cancel or keep each.
import { useState } from 'preact/hooks';
import { api } from '../lib/api';
import { useAction, useAsync } from '../lib/hooks';
import { href, navigate } from '../lib/router';
import { Temporal } from '../lib/temporal';
import {
  dateIn,
  formatDate,
  formatNumber,
  formatPlainDate,
  formatTime,
  mondayOf,
  startOfDay,
  todayIn,
  zoneAbbreviation,
  zoneCity,
  type PlainDate,
} from '../lib/time';
import type { Appointment, Slot } from '../lib/types';
import { Badge, Button, Empty, ErrorNotice, Field, Loading, Notice, PageHeader, Select } from '../components/ui';
import {
  dateParam,
  instantAt,
  patientLabel,
  slotState,
  timeRange,
  zoneName,
  zoneOf,
  type DoctorContext,
  type NamedAppointment,
  type OwnSlot,
  type SlotState,
} from './model';
import { doctorScreen, useReloadOnAppointments, type DoctorScreenProps } from './screen';

const stateLabels: Record<SlotState, string> = { free: 'Free', blocked: 'Blocked', booked: 'Booked' };

export const SlotsScreen = doctorScreen('Loading your slots…', Slots);

function Slots({ doctorId, context, query }: DoctorScreenProps) {
  const zone = context.homeZone;
  const today = todayIn(zone);
  const monday = mondayOf(dateParam(query.get('date'), today));
  const from = startOfDay(monday, zone);
  const to = startOfDay(monday.add({ days: 7 }), zone);
  const slots = useAsync(
    (signal) => api.get<{ items: OwnSlot[] }>(`/doctors/${doctorId}/slots`, { from, to }, signal).then((a) => a.items),
    [doctorId, from, to],
  );
  useReloadOnAppointments(doctorId, slots.reload);

  const go = (date: PlainDate) => navigate('/slots', { date: date.toString() });
  const days = Array.from({ length: 7 }, (_, i) => monday.add({ days: i }));
  const replace = (updated: Slot) =>
    slots.setData((old) => (old ?? []).map((s) => (s.id === updated.id ? { ...s, ...updated } : s)));

  return (
    <div class="stack doctor-slots">
      <PageHeader title="Slots and time off">
        <a class="button button--secondary" href={href('/working-hours')}>
          Working hours
        </a>
      </PageHeader>
      <TimeOff doctorId={doctorId} context={context} onChanged={() => slots.reload()} />
      <section class="stack" aria-labelledby="week-heading">
        <h2 id="week-heading">
          Week of {formatPlainDate(monday, { month: 'short', day: 'numeric' })} –{' '}
          {formatPlainDate(monday.add({ days: 6 }), { month: 'short', day: 'numeric', year: 'numeric' })}
        </h2>
        <div class="toolbar">
          <Button variant="secondary" onClick={() => go(monday.subtract({ weeks: 1 }))}>
            Previous week
          </Button>
          <Button variant="secondary" onClick={() => go(today)} disabled={days.some((d) => d.equals(today))}>
            This week
          </Button>
          <Button variant="secondary" onClick={() => go(monday.add({ weeks: 1 }))}>
            Next week
          </Button>
        </div>
        <p class="hint">Each slot shows its location's time. Blocking a slot hides it from patients; booked slots stay booked.</p>
        {slots.error ? (
          <ErrorNotice error={slots.error} />
        ) : !slots.data ? (
          <Loading label="Loading slots…" />
        ) : (
          <div class="doctor-week">
            {days.map((day) => (
              <DaySlots
                key={day.toString()}
                day={day}
                slots={slots.data?.filter((s) => dateIn(s.start_time_utc, zoneOf(s)).equals(day)) ?? []}
                context={context}
                onChanged={replace}
              />
            ))}
          </div>
        )}
      </section>
    </div>
  );
}

function DaySlots({
  day,
  slots,
  context,
  onChanged,
}: {
  day: PlainDate;
  slots: OwnSlot[];
  context: DoctorContext;
  onChanged: (slot: Slot) => void;
}) {
  const headingId = `slots-${day.toString()}`;
  const counts = { free: 0, blocked: 0, booked: 0 };
  slots.forEach((s) => (counts[slotState(s)] += 1));
  const places = [
    ...new Set(
      slots.map((s) => {
        const name = context.locationById(s.location_id)?.name ?? 'No location';
        return `${name} (${zoneAbbreviation(s.start_time_utc, zoneOf(s))})`;
      }),
    ),
  ];
  // Rows name their zone only when the day mixes zones; otherwise the line above names it once.
  const zonePerRow = new Set(slots.map(zoneOf)).size > 1;
  return (
    <section class="doctor-day card" aria-labelledby={headingId}>
      <h3 id={headingId}>{formatPlainDate(day, { weekday: 'long', month: 'short', day: 'numeric' })}</h3>
      {slots.length === 0 ? (
        <Empty>No slots.</Empty>
      ) : (
        <>
          <p class="meta">
            {formatNumber(counts.free)} free · {formatNumber(counts.blocked)} blocked · {formatNumber(counts.booked)} booked
            {places.length > 0 && <> · {places.join(', ')}</>}
          </p>
          <ul class="doctor-slot-list">
            {slots.map((slot) => (
              <SlotRow key={slot.id} slot={slot} zonePerRow={zonePerRow} onChanged={onChanged} />
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

function SlotRow({ slot, zonePerRow, onChanged }: { slot: OwnSlot; zonePerRow: boolean; onChanged: (slot: Slot) => void }) {
  const state = slotState(slot);
  const zone = zoneOf(slot);
  const when = timeRange(slot.start_time_utc, slot.end_time_utc, zone);
  const shown = zonePerRow ? when : `${formatTime(slot.start_time_utc, zone)} – ${formatTime(slot.end_time_utc, zone)}`;
  const toggle = useAction(async () => {
    onChanged(await api.patch<Slot>(`/slots/${slot.id}`, { is_available: !slot.is_available }));
  });
  const whenLong = `${formatDate(slot.start_time_utc, zone)} ${when}`;
  return (
    <li class={`doctor-slot doctor-slot--${state}`}>
      <span class="doctor-slot-time">{shown}</span>
      <Badge kind={`slot-${state}`}>{stateLabels[state]}</Badge>
      {state === 'booked' && slot.appointment_id !== null ? (
        <a href={href(`/schedule/${slot.appointment_id}`)} aria-label={`Open the appointment of ${whenLong}`}>
          Open
        </a>
      ) : (
        <Button
          variant="link"
          busy={toggle.busy}
          aria-label={`${state === 'free' ? 'Block' : 'Unblock'} ${whenLong}`}
          onClick={() => void toggle.run()}
        >
          {state === 'free' ? 'Block' : 'Unblock'}
        </Button>
      )}
      {toggle.error !== undefined && <ErrorNotice error={toggle.error} />}
    </li>
  );
}

interface RangeAnswer {
  changed: number;
  booked: number[];
}

function TimeOff({ doctorId, context, onChanged }: { doctorId: number; context: DoctorContext; onChanged: () => void }) {
  const [locationId, setLocationId] = useState(String(context.doctor.location_id ?? context.locations[0]?.id ?? ''));
  const zone = context.locationById(Number(locationId))?.timezone ?? context.homeZone;
  const today = todayIn(zone);
  const [firstDay, setFirstDay] = useState(today.toString());
  const [lastDay, setLastDay] = useState(today.toString());
  const [fromTime, setFromTime] = useState('');
  const [untilTime, setUntilTime] = useState('');
  const [outcome, setOutcome] = useState<{ action: 'block' | 'unblock'; answer: RangeAnswer } | null>(null);

  const first = dateParam(firstDay, today);
  const last = dateParam(lastDay, today);
  const rangeValid = first.toString() === firstDay && last.toString() === lastDay && Temporal.PlainDate.compare(first, last) <= 0;
  const range = () => ({
    from: instantAt(first, zone, fromTime),
    to: untilTime ? instantAt(last, zone, untilTime) : instantAt(last.add({ days: 1 }), zone),
  });
  const apply = useAction(async (action: 'block' | 'unblock') => {
    const answer = await api.post<RangeAnswer>(`/doctors/${doctorId}/slots/${action}`, range());
    setOutcome({ action, answer });
    onChanged();
  });

  return (
    <section class="card stack doctor-time-off" aria-labelledby="time-off-heading">
      <h2 id="time-off-heading">Time off</h2>
      <p class="hint">
        Blocks every slot in the range at once — a day, a vacation. Booked appointments are not touched; they are listed
        so you can cancel or keep each.
      </p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void apply.run('block');
        }}
      >
        <Select
          label="Location (its time zone)"
          name="location"
          value={locationId}
          options={context.locations.map((l) => ({ value: String(l.id), label: `${l.name} (${zoneCity(l.timezone)})` }))}
          onChange={(e) => setLocationId(e.currentTarget.value)}
        />
        <div class="field-row">
          <Field label="First day" name="from" type="date" required value={firstDay} error={apply.error} onInput={(e) => setFirstDay(e.currentTarget.value)} />
          <Field label="Last day" name="to" type="date" required min={firstDay} value={lastDay} error={apply.error} onInput={(e) => setLastDay(e.currentTarget.value)} />
        </div>
        <div class="field-row">
          <OptionalTime label="From time on the first day (optional)" name="from_time" value={fromTime} hint="Empty: from the start of the day." onChange={setFromTime} />
          <OptionalTime label="Until time on the last day (optional)" name="until_time" value={untilTime} hint="Empty: to the end of the day." onChange={setUntilTime} />
        </div>
        <p class="hint">Times are {zoneName(zone)}.</p>
        {!rangeValid && <p class="field-error">The last day must be on or after the first day.</p>}
        <ErrorNotice error={apply.error} />
        <div class="row">
          <Button type="submit" busy={apply.busy} disabled={!rangeValid}>
            Block time off
          </Button>
          <Button variant="secondary" busy={apply.busy} disabled={!rangeValid} onClick={() => void apply.run('unblock')}>
            Make available again
          </Button>
        </div>
      </form>
      {outcome && (
        <Notice kind="success">
          {outcome.action === 'block' ? 'Blocked' : 'Opened'} {formatNumber(outcome.answer.changed)}{' '}
          {outcome.answer.changed === 1 ? 'slot' : 'slots'}.
          {outcome.answer.booked.length > 0 &&
            ` ${formatNumber(outcome.answer.booked.length)} booked ${outcome.answer.booked.length === 1 ? 'appointment is' : 'appointments are'} still in this range.`}
        </Notice>
      )}
      {outcome && outcome.action === 'block' && outcome.answer.booked.length > 0 && (
        <StillBooked ids={outcome.answer.booked} onChanged={onChanged} />
      )}
    </section>
  );
}

/** A time of day that may stay empty (the range then runs from or to a whole day's edge). */
function OptionalTime({
  label,
  name,
  value,
  hint,
  onChange,
}: {
  label: string;
  name: string;
  value: string;
  hint: string;
  onChange: (value: string) => void;
}) {
  return <Field label={label} name={name} type="time" value={value} hint={hint} onInput={(e) => onChange(e.currentTarget.value)} />;
}

function StillBooked({ ids, onChanged }: { ids: number[]; onChanged: () => void }) {
  const [kept, setKept] = useState<number[]>([]);
  const appointments = useAsync(
    (signal) => Promise.all(ids.map((id) => api.get<NamedAppointment>(`/appointments/${id}`, undefined, signal))),
    [ids.join(',')],
  );
  const open = (appointments.data ?? []).filter((a) => !kept.includes(a.id));
  return (
    <section class="stack" aria-labelledby="still-booked-heading">
      <h3 id="still-booked-heading">Still booked — cancel or keep</h3>
      {appointments.error ? (
        <ErrorNotice error={appointments.error} />
      ) : !appointments.data ? (
        <Loading label="Loading the booked appointments…" />
      ) : open.length === 0 ? (
        <Empty>Nothing left to decide.</Empty>
      ) : (
        <ul class="list">
          {open.map((a) => (
            <BookedItem
              key={a.id}
              appointment={a}
              onKeep={() => setKept((k) => [...k, a.id])}
              onCancelled={(updated) =>
                appointments.setData((old) => (old ?? []).map((x) => (x.id === updated.id ? { ...x, ...updated } : x)))
              }
              onSlotBlocked={onChanged}
            />
          ))}
        </ul>
      )}
    </section>
  );
}

function BookedItem({
  appointment,
  onKeep,
  onCancelled,
  onSlotBlocked,
}: {
  appointment: NamedAppointment;
  onKeep: () => void;
  onCancelled: (a: Appointment) => void;
  onSlotBlocked: () => void;
}) {
  const zone = zoneOf(appointment);
  const who = patientLabel(appointment);
  // Cancelling frees the slot; it is blocked right after, as the rest of the time off is.
  const cancel = useAction(async () => {
    const cancelled = await api.post<Appointment>(`/appointments/${appointment.id}/cancel`, {
      reason: 'The doctor is not available at this time.',
    });
    onCancelled(cancelled);
    await api.patch<Slot>(`/slots/${appointment.slot_id}`, { is_available: false });
    onSlotBlocked();
  });
  return (
    <li class="list-item stack">
      <div class="row row--between">
        <a href={href(`/schedule/${appointment.id}`)}>{who}</a>
        <Badge kind={appointment.status}>{appointment.status === 'cancelled' ? 'Cancelled' : 'Booked'}</Badge>
      </div>
      <div class="meta">
        {formatDate(appointment.start_time_utc, zone)}, {timeRange(appointment.start_time_utc, appointment.end_time_utc, zone)}
        {appointment.reason && <> — {appointment.reason}</>}
      </div>
      {appointment.status === 'scheduled' && (
        <div class="row">
          <Button variant="danger" busy={cancel.busy} onClick={() => void cancel.run()} aria-label={`Cancel the appointment of ${who}`}>
            Cancel appointment
          </Button>
          <Button variant="secondary" onClick={onKeep} aria-label={`Keep the appointment of ${who}`}>
            Keep
          </Button>
        </div>
      )}
      <ErrorNotice error={cancel.error} />
    </li>
  );
}
