// The week of a doctor's free slots at one clinic, in the clinic's local time with the zone named
// (and the viewer's own time when their browser is elsewhere): seven day columns on wide screens,
// a list of days on phones. Picking a time calls `onPick`; what happens next (book, reschedule, a
// phone booking at the front desk) is the caller's business.
import { useEffect, useId, useMemo, useState } from 'preact/hooks';
import { api, EARLY_ANSWER_MS, fetchAll, type Page } from '../lib/api';
import { useAsync } from '../lib/hooks';
import { Temporal } from '../lib/temporal';
import {
  browserZone,
  dateIn,
  formatPlainDate,
  formatTime,
  mondayOf,
  startOfDay,
  todayIn,
  zoneAbbreviation,
  zoneCity,
  type PlainDate,
} from '../lib/time';
import type { Doctor, Location, Slot } from '../lib/types';
import { Button, Empty, ErrorNotice, Loading, Notice } from '../components/ui';
import { ownTime } from './common';

export interface SlotPickerProps {
  doctor: Doctor;
  location: Location;
  onPick: (slot: Slot) => void;
  title: string;
  /** Change it to load the shown week again (e.g. after a booking found its slot taken). */
  refreshKey?: number;
  /** A date in the week to show first; this week at the clinic when absent. */
  initialDate?: PlainDate;
  /** Told the Monday of the week shown whenever the viewer moves to another week. */
  onWeekChange?: (monday: PlainDate) => void;
}

/** A free time as the picker shows it. */
interface ShownSlot {
  slot: Slot;
  /** In the clinic's zone. */
  time: string;
  /** In the browser's zone, when that is another. */
  yours: string | null;
}

interface WeekDay {
  date: PlainDate;
  /** "Monday, December 1": the day's group and each of its buttons are named with it. */
  label: string;
  slots: ShownSlot[];
}

/** The days of `dates` in `zone`, each with its free times among `slots` as the reader sees them. */
function layOutWeek(dates: PlainDate[], zone: string, slots: Slot[], showOwn: boolean): WeekDay[] {
  const byDate = new Map<string, ShownSlot[]>();
  for (const slot of slots) {
    const date = dateIn(slot.start_time_utc, zone).toString();
    const shown = {
      slot,
      time: formatTime(slot.start_time_utc, zone),
      yours: showOwn ? `${ownTime(slot.start_time_utc, zone)} your time` : null,
    };
    const day = byDate.get(date);
    if (day) day.push(shown);
    else byDate.set(date, [shown]);
  }
  return dates.map((date) => ({
    date,
    label: formatPlainDate(date, { weekday: 'long', month: 'long', day: 'numeric' }),
    slots: byDate.get(date.toString()) ?? [],
  }));
}

/** How the week's zone is named: "New York time (EST)", or both names in a week DST changes. */
function weekZoneText(days: PlainDate[], zone: string): string {
  const first = days[0];
  if (!first) return `${zoneCity(zone)} time`;
  const startName = zoneAbbreviation(startOfDay(first, zone), zone);
  for (const day of days) {
    // The name at the end of `day` differs from the week's first: the clocks changed that day.
    const name = zoneAbbreviation(startOfDay(day.add({ days: 1 }), zone), zone);
    if (name !== startName) return `${zoneCity(zone)} time (${startName}, then ${name} from ${formatPlainDate(day)})`;
  }
  return `${zoneCity(zone)} time (${startName})`;
}

/** The Monday of the week the picker opens on: `initialDate`'s, but never one before `today`'s. */
function firstMonday(today: PlainDate, initialDate?: PlainDate): PlainDate {
  const thisMonday = mondayOf(today);
  const wanted = initialDate ? mondayOf(initialDate) : thisMonday;
  return Temporal.PlainDate.compare(wanted, thisMonday) < 0 ? thisMonday : wanted;
}

type WeekSearch = { doctor_id: number; location_id: number; from: string; to: string };

/** The `/slots` search for the free times of `doctorId` at `location` in the week of `monday`. */
function weekSearch(doctorId: number, location: Location, monday: PlainDate): WeekSearch {
  return {
    doctor_id: doctorId,
    location_id: location.id,
    from: startOfDay(monday, location.timezone),
    to: startOfDay(monday.add({ days: 7 }), location.timezone),
  };
}

/** Free times of one doctor asked for before the zone of their clinic was known. */
interface EarlySlots {
  doctorId: number;
  from: number;
  to: number;
  slots: Promise<Slot[]>;
}
let earlySlots: EarlySlots | null = null;

/**
 * Asks for the free times of the first week a picker of `doctorId` shows, before the clinic and
 * so the zone that week is in are known: all of the doctor's free times over a span that holds
 * that week in any zone (every zone's date is within a day of UTC's). The picker's first search,
 * if it falls inside the span within seconds, takes them over instead of asking the server again.
 */
export function prefetchFirstWeek(doctorId: number, initialDate?: PlainDate): void {
  const today = todayIn('UTC');
  const from = startOfDay(firstMonday(today.subtract({ days: 1 }), initialDate).subtract({ days: 1 }), 'UTC');
  const to = startOfDay(firstMonday(today.add({ days: 1 }), initialDate).add({ days: 8 }), 'UTC');
  const slots = fetchAll<Slot>('/slots', { doctor_id: doctorId, from, to });
  slots.catch(() => undefined);
  const early = { doctorId, from: Date.parse(from), to: Date.parse(to), slots };
  earlySlots = early;
  setTimeout(() => {
    if (earlySlots === early) earlySlots = null;
  }, EARLY_ANSWER_MS);
}

/** The free times `search` finds: the early ones when they cover it, else the server's answer. */
function loadWeek(search: WeekSearch): Promise<Slot[]> {
  const early = earlySlots;
  earlySlots = null;
  const from = Date.parse(search.from);
  const to = Date.parse(search.to);
  if (!early || early.doctorId !== search.doctor_id || from < early.from || to > early.to) {
    return fetchAll<Slot>('/slots', search);
  }
  return early.slots.then((slots) =>
    slots.filter((slot) => {
      const start = Date.parse(slot.start_time_utc);
      return slot.location_id === search.location_id && start >= from && start < to;
    }),
  );
}

export function SlotPicker({ doctor, location, onPick, title, refreshKey = 0, initialDate, onWeekChange }: SlotPickerProps) {
  const zone = location.timezone;
  const headingId = useId();
  const thisMonday = mondayOf(todayIn(zone));
  const [monday, setMonday] = useState<PlainDate>(() => firstMonday(todayIn(zone), initialDate));
  const [searchNote, setSearchNote] = useState<string | null>(null);
  const [searching, setSearching] = useState(false);

  const nextMonday = monday.add({ days: 7 });
  const search = weekSearch(doctor.id, location, monday);
  const week = useAsync(() => loadWeek(search), [doctor.id, location.id, search.from, search.to, refreshKey]);

  const goTo = (target: PlainDate) => {
    setSearchNote(null);
    setMonday(target);
    onWeekChange?.(target);
  };
  useEffect(() => setSearchNote(null), [refreshKey]);

  const findNextFree = async () => {
    setSearching(true);
    setSearchNote(null);
    try {
      const answer = await api.get<Page<Slot>>('/slots', {
        doctor_id: doctor.id,
        location_id: location.id,
        from: search.to,
        limit: 1,
      });
      const next = answer.items[0];
      if (next) goTo(mondayOf(dateIn(next.start_time_utc, zone)));
      else setSearchNote(`${doctor.first_name} ${doctor.last_name} has no free times published after this week yet.`);
    } catch {
      setSearchNote('The next free time could not be looked up. Try again in a moment.');
    } finally {
      setSearching(false);
    }
  };

  const dates = useMemo(() => Array.from({ length: 7 }, (_, i) => monday.add({ days: i })), [monday]);
  const own = browserZone();
  const showOwn = own !== zone;
  // Laid out once per answer: picking a time re-renders the page around the picker.
  const days = useMemo(() => (week.data ? layOutWeek(dates, zone, week.data, showOwn) : []), [dates, zone, week.data, showOwn]);
  const freeCount = week.data?.length ?? 0;
  const lastDay = dates[6] ?? monday;
  const weekLabel = `${formatPlainDate(monday, { weekday: 'short', month: 'short', day: 'numeric' })} – ${formatPlainDate(lastDay, {
    weekday: 'short',
    month: 'short',
    day: 'numeric',
    year: 'numeric',
  })}`;

  return (
    <section class="card slot-picker" aria-labelledby={headingId}>
      <h2 id={headingId}>{title}</h2>
      <p class="slot-picker__zone">
        Times in {weekZoneText(dates, zone)} at {location.name}.
        {showOwn && ` Your own time (${zoneCity(own)}) is shown under each time.`}
      </p>
      <div class="week-nav">
        <Button
          variant="secondary"
          onClick={() => goTo(monday.subtract({ days: 7 }))}
          disabled={Temporal.PlainDate.compare(monday, thisMonday) <= 0}
        >
          Previous week
        </Button>
        <p class="week-nav__label" aria-live="polite">
          <span class="visually-hidden">Showing the week </span>
          {weekLabel}
        </p>
        <Button variant="secondary" onClick={() => goTo(nextMonday)}>
          Next week
        </Button>
      </div>
      {week.loading && <Loading label="Loading free times…" />}
      {week.error !== undefined && (
        <div class="row">
          <ErrorNotice error={week.error} />
          <Button variant="secondary" onClick={week.reload}>
            Try again
          </Button>
        </div>
      )}
      {week.data && !week.loading && week.error === undefined && freeCount === 0 && (
        <div class="slot-picker__none">
          <Empty>No free times this week.</Empty>
          <Button variant="secondary" busy={searching} onClick={() => void findNextFree()}>
            Show the next week with free times
          </Button>
        </div>
      )}
      {searchNote && <Notice>{searchNote}</Notice>}
      {week.data && !week.loading && week.error === undefined && (
        <div class="week-grid">
          {days.map(({ date, label, slots }) => (
            <div key={date.toString()} role="group" class={`week-day${slots.length ? '' : ' week-day--empty'}`} aria-label={label}>
              <h3 class="week-day__title">{formatPlainDate(date)}</h3>
              {slots.length === 0 ? (
                <p class="meta">No free times</p>
              ) : (
                <ul class="slot-list">
                  {slots.map(({ slot, time, yours }) => (
                    <li key={slot.id}>
                      <button type="button" class="slot-button" onClick={() => onPick(slot)}>
                        <span class="visually-hidden">{label}, </span>
                        <span class="slot-button__time">{time}</span>
                        {yours && (
                          <span class="slot-button__own">
                            <span class="visually-hidden">, </span>
                            {yours}
                          </span>
                        )}
                      </button>
                    </li>
                  ))}
                </ul>
              )}
            </div>
          ))}
        </div>
      )}
    </section>
  );
}
