// Pieces the front-desk screens share: paged lists that follow `next_cursor`, the clinic's
// locations and doctors (small lists, loaded whole), appointments with the names of the people
// in them, and the currency a location takes by default.
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { api, fetchAll, type Page, type Query } from '../lib/api';
import { useAsync } from '../lib/hooks';
import { doctorName, personName } from '../lib/session';
import type { Appointment, Doctor, Location } from '../lib/types';
import { Temporal } from '../lib/temporal';
import { browserZone } from '../lib/time';
import { Button, ErrorNotice, Loading } from '../components/ui';

export interface PersonRef {
  id: number;
  first_name: string;
  last_name: string;
}

/** An appointment with the names of its patient, doctor and location (the API adds them). */
export type AppointmentWithPeople = Appointment &
  Partial<{
    patient: PersonRef;
    doctor: PersonRef & { specialization: string };
    location: { id: number; name: string; timezone: string } | null;
  }>;

export interface PagedList<T> {
  items: T[];
  hasMore: boolean;
  loading: boolean;
  error: unknown;
  loadMore: () => void;
  reload: () => void;
  /** Puts a changed record in place of the one with the same id. */
  replace: (item: T) => void;
}

interface PagedState<T> {
  items: T[];
  cursor: string | null;
  loading: boolean;
  error: unknown;
}

/**
 * One list endpoint, page by page: the first page on every change of `query`, more on demand.
 * A null `query` waits (for what the query is computed from).
 */
export function usePagedList<T extends { id: number }>(path: string, query: Query | null, pageSize = 25): PagedList<T> {
  const key = `${path}?${JSON.stringify(query)}`;
  const [state, setState] = useState<PagedState<T>>({ items: [], cursor: null, loading: true, error: undefined });
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    setState((s) => ({ ...s, loading: true, error: undefined }));
    if (!query) return;
    const controller = new AbortController();
    api
      .get<Page<T>>(path, { ...query, limit: pageSize }, controller.signal)
      .then((page) => setState({ items: page.items, cursor: page.next_cursor, loading: false, error: undefined }))
      .catch((error: unknown) => {
        if (!controller.signal.aborted) setState((s) => ({ ...s, items: [], cursor: null, loading: false, error }));
      });
    return () => controller.abort();
  }, [key, generation]);

  const loadMore = () => {
    if (!state.cursor || !query) return;
    setState((s) => ({ ...s, loading: true, error: undefined }));
    api
      .get<Page<T>>(path, { ...query, limit: pageSize, cursor: state.cursor })
      .then((page) =>
        setState((s) => ({ items: [...s.items, ...page.items], cursor: page.next_cursor, loading: false, error: undefined })),
      )
      .catch((error: unknown) => setState((s) => ({ ...s, loading: false, error })));
  };
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  const replace = useCallback(
    (item: T) => setState((s) => ({ ...s, items: s.items.map((old) => (old.id === item.id ? item : old)) })),
    [],
  );
  return { items: state.items, hasMore: state.cursor !== null, loading: state.loading, error: state.error, loadMore, reload, replace };
}

/** The list's error, its loading state and a "Show more" button when there is a next page. */
export function PagerFooter<T>({ list, noun }: { list: PagedList<T>; noun: string }) {
  return (
    <div class="admin-pager">
      <ErrorNotice error={list.error} />
      {list.loading && <Loading label={`Loading ${noun}…`} />}
      {!list.loading && list.hasMore && (
        <Button variant="secondary" onClick={list.loadMore}>
          Show more {noun}
        </Button>
      )}
    </div>
  );
}

/** The clinic's locations (a handful), shared by every screen that names one. */
let locationsPromise: Promise<Location[]> | null = null;
export function loadLocations(refresh = false): Promise<Location[]> {
  if (refresh || !locationsPromise) {
    locationsPromise = fetchAll<Location>('/locations').catch((error: unknown) => {
      locationsPromise = null;
      throw error;
    });
  }
  return locationsPromise;
}

export function useLocations() {
  return useAsync(() => loadLocations(), []);
}

/** Every doctor, deleted and inactive ones too, so that old appointments keep their names. */
let doctorsPromise: Promise<Doctor[]> | null = null;
export function loadDoctors(refresh = false): Promise<Doctor[]> {
  if (refresh || !doctorsPromise) {
    doctorsPromise = fetchAll<Doctor>('/doctors', { include_inactive: true, include_deleted: true }).catch((error: unknown) => {
      doctorsPromise = null;
      throw error;
    });
  }
  return doctorsPromise;
}

export function useDoctors() {
  return useAsync(() => loadDoctors(), []);
}

/** The people screens change doctors and locations; the next screen that names them reloads. */
export function forgetDirectory(): void {
  locationsPromise = null;
  doctorsPromise = null;
}

export function appointmentZone(a: AppointmentWithPeople, locations: Location[] = []): string {
  return (
    a.local?.timezone ?? a.location?.timezone ?? locations.find((l) => l.id === a.location_id)?.timezone ?? 'UTC'
  );
}

export function appointmentPatient(a: AppointmentWithPeople): string {
  return a.patient ? personName(a.patient) : `Patient #${a.patient_id}`;
}

export function appointmentDoctor(a: AppointmentWithPeople, doctors: Doctor[] = []): string {
  const known = a.doctor ?? doctors.find((d) => d.id === a.doctor_id);
  return known ? doctorName(known) : `Doctor #${a.doctor_id}`;
}

export function appointmentLocation(a: AppointmentWithPeople, locations: Location[] = []): string {
  if (a.location) return a.location.name;
  if (a.location_id === null) return 'No location';
  return locations.find((l) => l.id === a.location_id)?.name ?? `Location #${a.location_id}`;
}

/**
 * The currency a location usually takes. Locations carry no currency in the API, so the front
 * desk starts from the country's and may change it on every payment.
 */
const currencyByCountry: Record<string, string> = {
  'united states': 'USD',
  usa: 'USD',
  us: 'USD',
  singapore: 'SGD',
  sg: 'SGD',
  'united kingdom': 'GBP',
  uk: 'GBP',
  canada: 'CAD',
  australia: 'AUD',
  japan: 'JPY',
  india: 'INR',
  malaysia: 'MYR',
  germany: 'EUR',
  france: 'EUR',
  netherlands: 'EUR',
  spain: 'EUR',
  italy: 'EUR',
  ireland: 'EUR',
};

export function defaultCurrency(location: Location | undefined): string {
  return (location && currencyByCountry[location.country.trim().toLowerCase()]) ?? 'USD';
}

/** The zone a screen shows dates in when no single location decides it. */
export function fallbackZone(locations: Location[] | undefined): string {
  return locations?.[0]?.timezone ?? browserZone();
}

/** Turns a local date ("2026-12-01") typed in a filter into the API's instant for its start. */
export function instantOfDate(date: string, zone: string, addDays = 0): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return undefined;
  try {
    return Temporal.PlainDate.from(date).add({ days: addDays }).toZonedDateTime({ timeZone: zone }).toInstant().toString();
  } catch {
    return undefined;
  }
}

/** A table that may scroll sideways on a phone: focusable, so the keyboard can scroll it too. */
export function TableWrap({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    <div class="table-wrap admin-table-wrap" tabIndex={0} role="region" aria-label={label}>
      {children}
    </div>
  );
}
