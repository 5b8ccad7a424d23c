// Instants are UTC strings from the API; everything a person reads is in a named IANA zone (the
// clinic location's), formatted with Intl in the browser's locale. Calendar arithmetic (weeks,
// day boundaries across DST) uses Temporal.
import { Temporal, type TemporalApi } from './temporal';

export type PlainDate = TemporalApi.PlainDate;

export const locale: string = typeof navigator !== 'undefined' ? navigator.language || 'en-US' : 'en-US';

let ownZone: string | undefined;
/** The browser's IANA zone (read once: building an Intl.DateTimeFormat costs milliseconds). */
export function browserZone(): string {
  ownZone ??= Intl.DateTimeFormat().resolvedOptions().timeZone;
  return ownZone;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(zone: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = zone + JSON.stringify(options);
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, { ...options, timeZone: zone });
    formatters.set(key, f);
  }
  return f;
}

/** "09:30" (or "9:30 AM", per locale) in `zone`. */
export function formatTime(instant: string, zone: string): string {
  return formatter(zone, { hour: 'numeric', minute: '2-digit' }).format(new Date(instant));
}

/** "Tue, Dec 1, 2026" in `zone`. */
export function formatDate(instant: string, zone: string): string {
  return formatter(zone, { weekday: 'short', year: 'numeric', month: 'short', day: 'numeric' }).format(
    new Date(instant),
  );
}

/** "Tue, Dec 1, 2026, 9:30 AM" in `zone`. */
export function formatDateTime(instant: string, zone: string): string {
  return formatter(zone, {
    weekday: 'short',
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
  }).format(new Date(instant));
}

/** The zone's short name at that instant: "EST", "GMT+8". */
export function zoneAbbreviation(instant: string, zone: string): string {
  const parts = formatter(zone, { timeZoneName: 'short' }).formatToParts(new Date(instant));
  return parts.find((p) => p.type === 'timeZoneName')?.value ?? zone;
}

/** "America/New_York" → "New York". */
export function zoneCity(zone: string): string {
  const last = zone.split('/').pop() ?? zone;
  return last.replace(/_/g, ' ');
}

/** A calendar date as the reader writes it; through the cached formatters, as UTC midnight. */
export function formatPlainDate(date: PlainDate, options?: Intl.DateTimeFormatOptions): string {
  const midnight = Date.UTC(date.year, date.month - 1, date.day);
  return formatter('UTC', options ?? { weekday: 'short', month: 'short', day: 'numeric' }).format(midnight);
}

export function todayIn(zone: string): PlainDate {
  return Temporal.Now.plainDateISO(zone);
}

/** The Monday on or before `date`. */
export function mondayOf(date: PlainDate): PlainDate {
  return date.subtract({ days: date.dayOfWeek - 1 });
}

/** The instant `date` begins in `zone`, as the API's UTC string. */
export function startOfDay(date: PlainDate, zone: string): string {
  return date.toZonedDateTime({ timeZone: zone }).toInstant().toString();
}

/** The local calendar date of `instant` in `zone`. */
export function dateIn(instant: string, zone: string): PlainDate {
  return Temporal.Instant.from(instant).toZonedDateTimeISO(zone).toPlainDate();
}

export function parsePlainDate(text: string): PlainDate | null {
  try {
    return Temporal.PlainDate.from(text);
  } catch {
    return null;
  }
}

/** Minutes of the day of `instant` in `zone` (for placing it on a day grid). */
export function minutesOfDay(instant: string, zone: string): number {
  const z = Temporal.Instant.from(instant).toZonedDateTimeISO(zone);
  return z.hour * 60 + z.minute;
}

const moneyFormatters = new Map<string, Intl.NumberFormat>();
/** 12345, "USD" → "$123.45" (per locale). */
export function formatMoney(cents: number, currency: string): string {
  let f = moneyFormatters.get(currency);
  if (!f) {
    f = new Intl.NumberFormat(locale, { style: 'currency', currency });
    moneyFormatters.set(currency, f);
  }
  const digits = f.resolvedOptions().maximumFractionDigits ?? 2;
  return f.format(cents / 10 ** digits);
}

/** "123.45" typed by a person, in `currency`'s minor units; null when not a positive amount. */
export function parseMoney(text: string, currency: string): number | null {
  const digits =
    new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  const match = /^\s*(\d+)(?:[.,](\d+))?\s*$/.exec(text);
  if (!match) return null;
  const whole = match[1] ?? '0';
  const fraction = match[2] ?? '';
  if (fraction.length > digits) return null;
  const cents = Number(whole) * 10 ** digits + Number(fraction.padEnd(digits, '0') || '0');
  return Number.isSafeInteger(cents) && cents > 0 ? cents : null;
}

export function formatNumber(value: number, options?: Intl.NumberFormatOptions): string {
  return new Intl.NumberFormat(locale, options).format(value);
}
