// The week of a doctor's free slots at one clinic, in the clinic's local time with the zone named
// (and the viewer's own time when their browser is elsewhere): seven day columns on wide screens,
// a list of days on phones. Picking a time calls `onPick`; what happens next (book, reschedule, a
// phone booking at the front desk) is the caller's business.
import { useEffect, useId, useState } from 'preact/hooks';
import { api, fetchAll, type Page } from '../lib/api';
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

interface WeekDay {
  date: PlainDate;
  slots: Slot[];
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

export function SlotPicker({ doctor, location, onPick, title, refreshKey = 0, initialDate, onWeekChange }: SlotPickerProps) {
  const zone = location.timezone;
  const headingId = useId();
  const thisMonday = mondayOf(todayIn(zone));
  const [monday, setMonday] = useState<PlainDate>(() => {
    const wanted = initialDate ? mondayOf(initialDate) : thisMonday;
    return Temporal.PlainDate.compare(wanted, thisMonday) < 0 ? thisMonday : wanted;
  });
  const [searchNote, setSearchNote] = useState<string | null>(null);
  const [searching, setSearching] = useState(false);

  const nextMonday = monday.add({ days: 7 });
  const weekStart = startOfDay(monday, zone);
  const weekEnd = startOfDay(nextMonday, zone);
  const week = useAsync(
    () => fetchAll<Slot>('/slots', { doctor_id: doctor.id, location_id: location.id, from: weekStart, to: weekEnd }),
    [doctor.id, location.id, weekStart, weekEnd, refreshKey],
  );

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
        from: weekEnd,
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

  const dates = Array.from({ length: 7 }, (_, i) => monday.add({ days: i }));
  const days: WeekDay[] = dates.map((date) => ({
    date,
    slots: (week.data ?? []).filter((s) => dateIn(s.start_time_utc, zone).equals(date)),
  }));
  const freeCount = week.data?.length ?? 0;
  const own = browserZone();
  const showOwn = own !== zone;
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
          {days.map(({ date, slots }) => {
            const dayLabel = formatPlainDate(date, { weekday: 'long', month: 'long', day: 'numeric' });
            return (
              <div key={date.toString()} role="group" class={`week-day${slots.length ? '' : ' week-day--empty'}`} aria-label={dayLabel}>
                <h3 class="week-day__title">{formatPlainDate(date)}</h3>
                {slots.length === 0 ? (
                  <p class="meta">No free times</p>
                ) : (
                  <ul class="slot-list">
                    {slots.map((slot) => {
                      const time = formatTime(slot.start_time_utc, zone);
                      const yours = showOwn ? `${ownTime(slot.start_time_utc, zone)} your time` : null;
                      return (
                        <li key={slot.id}>
                          <button type="button" class="slot-button" onClick={() => onPick(slot)}>
                            <span class="visually-hidden">{dayLabel}, </span>
                            <span class="slot-button__time">{time}</span>
                            {yours && (
                              <span class="slot-button__own">
                                <span class="visually-hidden">, </span>
                                {yours}
                              </span>
                            )}
                          </button>
                        </li>
                      );
                    })}
                  </ul>
                )}
              </div>
            );
          })}
        </div>
      )}
    </section>
  );
}
