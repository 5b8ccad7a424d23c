// The doctor's availability: weekly working hours at one location (intervals per weekday in the
// location's local time, slot length, how far ahead) and turning them into bookable slots.
import type { ComponentChildren } from 'preact';
import { useEffect, useId, useState } from 'preact/hooks';
import { api, ApiError } from '../lib/api';
import { useAction, useAsync } from '../lib/hooks';
import { href } from '../lib/router';
import { formatNumber, todayIn, zoneCity } from '../lib/time';
import type { WeeklyInterval, WorkingHours } from '../lib/types';
import { Button, ErrorNotice, errorFor, Field, Loading, Notice, PageHeader, Select } from '../components/ui';
import { dateParam, useDoctorContext, zoneName, type DoctorContext } from './model';

const weekdays = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'] as const;

interface Interval extends WeeklyInterval {
  /** Stable across edits so that inputs keep focus when a row above is removed. */
  key: number;
}

let nextKey = 1;
const withKey = (i: WeeklyInterval): Interval => ({ ...i, key: nextKey++ });

// `<input type="time">` cannot hold "24:00", the API's end of the day: it is shown as 00:00 and an
// end of 00:00 is sent back as 24:00 (an interval never ends at the very start of its day).
const endForInput = (end: string) => (end === '24:00' ? '00:00' : end);
const endForApi = (end: string) => (end === '00:00' ? '24:00' : end);

export function WorkingHoursScreen() {
  const { doctorId, context } = useDoctorContext();
  const hours = useAsync(async (signal) => {
    try {
      return await api.get<WorkingHours>(`/doctors/${doctorId}/working-hours`, undefined, signal);
    } catch (error) {
      // No working hours yet: the editor starts empty.
      if (error instanceof ApiError && error.status === 404) return null;
      throw error;
    }
  }, [doctorId]);
  const failure = context.error ?? hours.error;
  return (
    <div class="stack doctor-hours">
      <PageHeader title="Working hours">
        <a class="button button--secondary" href={href('/slots')}>
          Slots and time off
        </a>
      </PageHeader>
      {failure ? (
        <ErrorNotice error={failure} />
      ) : !context.data || hours.data === undefined ? (
        <Loading label="Loading your working hours…" />
      ) : (
        <HoursEditor doctorId={doctorId} context={context.data} stored={hours.data} onSaved={(h) => hours.setData(h)} />
      )}
    </div>
  );
}

function HoursEditor({
  doctorId,
  context,
  stored,
  onSaved,
}: {
  doctorId: number;
  context: DoctorContext;
  stored: WorkingHours | null;
  onSaved: (hours: WorkingHours) => void;
}) {
  const initialLocation = stored?.location_id ?? context.doctor.location_id ?? context.locations[0]?.id ?? 0;
  const [locationId, setLocationId] = useState(String(initialLocation));
  const [slotMinutes, setSlotMinutes] = useState(String(stored?.slot_minutes ?? 30));
  const [horizonDays, setHorizonDays] = useState(String(stored?.horizon_days ?? 28));
  const [intervals, setIntervals] = useState<Interval[]>(() =>
    (stored?.weekly ?? []).map((i) => withKey({ ...i, end: endForInput(i.end) })),
  );
  const [dirty, setDirty] = useState(false);
  const [savedNotice, setSavedNotice] = useState(false);
  const location = context.locationById(Number(locationId));
  const zone = location?.timezone ?? context.homeZone;

  const edit = (change: () => void) => {
    change();
    setDirty(true);
    setSavedNotice(false);
  };
  const update = (key: number, patch: Partial<WeeklyInterval>) =>
    edit(() => setIntervals((all) => all.map((i) => (i.key === key ? { ...i, ...patch } : i))));

  const save = useAction(async () => {
    const body = {
      location_id: Number(locationId),
      slot_minutes: Number(slotMinutes),
      horizon_days: Number(horizonDays),
      weekly: intervals.map(({ weekday, start, end }) => ({ weekday, start, end: endForApi(end) })),
    };
    const answer = await api.put<WorkingHours>(`/doctors/${doctorId}/working-hours`, body);
    onSaved(answer);
    setIntervals(answer.weekly.map((i) => withKey({ ...i, end: endForInput(i.end) })));
    setDirty(false);
    setSavedNotice(true);
  });

  const numberSettings = [
    { label: 'Slot length (minutes)', name: 'slot_minutes', min: 15, max: 120, step: 5, value: slotMinutes, set: setSlotMinutes },
    {
      label: 'Bookable ahead (days)',
      name: 'horizon_days',
      min: 1,
      max: 365,
      value: horizonDays,
      hint: 'How far ahead slots may be generated.',
      set: setHorizonDays,
    },
  ];

  return (
    <>
      <CardForm class="doctor-hours-form" title="Weekly hours" onSubmit={() => void save.run()}>
        <div class="grid grid--3">
          <Select
            label="Location"
            name="location_id"
            value={locationId}
            error={save.error}
            options={context.locations.map((l) => ({ value: String(l.id), label: `${l.name} (${zoneCity(l.timezone)})` }))}
            onChange={(e) => edit(() => setLocationId(e.currentTarget.value))}
          />
          {numberSettings.map(({ set, ...setting }) => (
            <Field
              key={setting.name}
              {...setting}
              type="number"
              required
              error={save.error}
              onInput={(e) => edit(() => set(e.currentTarget.value))}
            />
          ))}
        </div>
        <p class="hint">Times are local to the location: {zoneName(zone)}.</p>
        <div class="doctor-weekdays">
          {weekdays.map((dayName, index) => {
            const weekday = index + 1;
            const rows = intervals.map((interval, position) => ({ interval, position })).filter((r) => r.interval.weekday === weekday);
            return (
              <fieldset key={weekday} class="doctor-weekday">
                <legend>{dayName}</legend>
                {rows.length === 0 && <p class="empty">Not working.</p>}
                {rows.map(({ interval, position }, n) => (
                  <div key={interval.key} class="doctor-interval">
                    <TimeInput
                      label="From"
                      context={`${dayName}, hours ${n + 1}`}
                      value={interval.start}
                      error={errorFor(save.error, `weekly[${position}].start`) ?? errorFor(save.error, `weekly[${position}]`)}
                      onChange={(start) => update(interval.key, { start })}
                    />
                    <TimeInput
                      label="Until"
                      context={`${dayName}, hours ${n + 1}`}
                      value={interval.end}
                      error={errorFor(save.error, `weekly[${position}].end`)}
                      onChange={(end) => update(interval.key, { end })}
                    />
                    <Button
                      variant="link"
                      aria-label={`Remove ${dayName} hours ${n + 1}`}
                      onClick={() => edit(() => setIntervals((all) => all.filter((i) => i.key !== interval.key)))}
                    >
                      Remove
                    </Button>
                  </div>
                ))}
                <Button
                  variant="secondary"
                  aria-label={`Add hours on ${dayName}`}
                  onClick={() => {
                    const last = rows[rows.length - 1]?.interval;
                    const start = last ? last.end : '09:00';
                    edit(() => setIntervals((all) => [...all, withKey({ weekday, start, end: start < '17:00' ? '17:00' : '00:00' })]));
                  }}
                >
                  Add hours
                </Button>
              </fieldset>
            );
          })}
        </div>
        {errorFor(save.error, 'weekly') && <p class="field-error">{errorFor(save.error, 'weekly')}</p>}
        <ErrorNotice error={save.error} />
        {savedNotice && <Notice kind="success">Working hours saved. Generate slots below to open them for booking.</Notice>}
        <div class="row">
          <Button type="submit" busy={save.busy} disabled={!dirty}>
            Save working hours
          </Button>
          {dirty && <span class="hint">Unsaved changes.</span>}
        </div>
      </CardForm>
      <GenerateSlots doctorId={doctorId} zone={zone} horizonDays={stored?.horizon_days ?? null} blocked={dirty || !stored} />
    </>
  );
}

/** A titled card holding a form whose submit stays on the page and runs `onSubmit`. */
function CardForm({ class: className, title, onSubmit, children }: { class: string; title: string; onSubmit: () => void; children: ComponentChildren }) {
  return (
    <form
      class={`card ${className}`}
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit();
      }}
    >
      <h2>{title}</h2>
      {children}
    </form>
  );
}

function TimeInput({
  label,
  context,
  value,
  error,
  onChange,
}: {
  label: string;
  context: string;
  value: string;
  error: string | undefined;
  onChange: (value: string) => void;
}) {
  const id = useId();
  return (
    <div class={`field${error ? ' field--invalid' : ''}`}>
      <label for={id}>
        {label}
        <span class="visually-hidden"> ({context})</span>
      </label>
      <input
        id={id}
        type="time"
        required
        value={value}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        onInput={(e) => onChange(e.currentTarget.value)}
      />
      {error && (
        <small id={`${id}-error`} class="field-error">
          {error}
        </small>
      )}
    </div>
  );
}

function GenerateSlots({
  doctorId,
  zone,
  horizonDays,
  blocked,
}: {
  doctorId: number;
  zone: string;
  horizonDays: number | null;
  blocked: boolean;
}) {
  const today = todayIn(zone);
  const lastAllowed = today.add({ days: horizonDays ?? 28 });
  const [from, setFrom] = useState(today.toString());
  const [to, setTo] = useState(today.add({ days: Math.min(27, horizonDays ?? 27) }).toString());
  const [result, setResult] = useState<{ created: number; skipped: number } | null>(null);
  useEffect(() => setResult(null), [from, to]);
  const generate = useAction(async () => {
    setResult(await api.post<{ created: number; skipped: number }>(`/doctors/${doctorId}/slots/generate`, { from, to }));
  });
  const validRange = dateParam(from, today).toString() === from && dateParam(to, today).toString() === to && from <= to;
  return (
    <CardForm class="doctor-generate" title="Generate slots" onSubmit={() => void generate.run()}>
      <p class="hint">
        Creates bookable slots from the saved weekly hours for these days ({zoneName(zone)}), both included. Slots that
        already exist or would overlap one are skipped.
      </p>
      <div class="field-row">
        <Field label="First day" name="from" type="date" required value={from} error={generate.error} onInput={(e) => setFrom(e.currentTarget.value)} />
        <Field
          label="Last day"
          name="to"
          type="date"
          required
          max={lastAllowed.toString()}
          value={to}
          error={generate.error}
          hint={`At most ${formatNumber(horizonDays ?? 28)} days ahead.`}
          onInput={(e) => setTo(e.currentTarget.value)}
        />
      </div>
      {blocked && <p class="hint">Save the working hours first.</p>}
      <ErrorNotice error={generate.error} />
      {result && (
        <Notice kind="success">
          Created {formatNumber(result.created)} {result.created === 1 ? 'slot' : 'slots'}; skipped {formatNumber(result.skipped)}.
        </Notice>
      )}
      <div class="row">
        <Button type="submit" busy={generate.busy} disabled={blocked || !validRange}>
          Generate slots
        </Button>
        <a href={href('/slots', { date: from })}>See the slots</a>
      </div>
    </CardForm>
  );
}
