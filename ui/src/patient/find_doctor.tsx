// Finding a doctor (by specialization, clinic or name) and booking one of their free times: the
// doctor's page shows the week of free slots and the dialog that books the picked one with a reason.
import { useMemo, useState } from 'preact/hooks';
import { api, ApiError, fetchAll, prefetch, type Page } from '../lib/api';
import { useAsync } from '../lib/hooks';
import { href, navigate } from '../lib/router';
import type { ScreenProps } from '../lib/routes';
import { doctorName } from '../lib/session';
import { parsePlainDate, type PlainDate } from '../lib/time';
import type { Doctor, Location, Slot } from '../lib/types';
import { Button, Empty, ErrorNotice, Field, Loading, Notice, PageHeader, Select } from '../components/ui';
import { BookDialog } from './book_dialog';
import { ClinicTime, loadDirectory, loadLocations } from './common';
import { prefetchFirstWeek, SlotPicker } from './slot_picker';

function locationLine(location: Location | undefined): string {
  return location ? `${location.name}, ${location.city}` : 'No clinic listed';
}

export function FindDoctorScreen({ query }: ScreenProps) {
  const specialization = query.get('specialization') ?? '';
  const locationId = query.get('location') ?? '';
  const name = query.get('q') ?? '';
  const [nameInput, setNameInput] = useState(name);
  const directory = useAsync(() => loadDirectory(), []);
  const results = useAsync(
    () => fetchAll<Doctor>('/doctors', { specialization, location_id: locationId, q: name }),
    [specialization, locationId, name],
  );

  const specializations = useMemo(() => {
    const all = new Set<string>();
    directory.data?.doctors.forEach((d) => all.add(d.specialization));
    return [...all].sort((a, b) => a.localeCompare(b));
  }, [directory.data]);
  const locations = directory.data ? [...directory.data.locations.values()] : [];

  const setFilter = (changes: Record<string, string>) =>
    navigate('/doctors', { specialization, location: locationId, q: name, ...changes }, true);

  return (
    <div class="stack">
      <PageHeader title="Find a doctor" />
      <form
        class="card find-doctor-form"
        role="search"
        aria-label="Doctors"
        onSubmit={(e) => {
          e.preventDefault();
          setFilter({ q: nameInput.trim() });
        }}
      >
        <div class="find-doctor-form__fields">
          <Select
            label="Specialization"
            name="specialization"
            value={specialization}
            options={[{ value: '', label: 'Any specialization' }, ...specializations.map((s) => ({ value: s, label: s }))]}
            onChange={(e) => setFilter({ specialization: e.currentTarget.value })}
          />
          <Select
            label="Clinic"
            name="location_id"
            value={locationId}
            options={[
              { value: '', label: 'Any clinic' },
              ...locations.map((l) => ({ value: String(l.id), label: `${l.name} (${l.city})` })),
            ]}
            onChange={(e) => setFilter({ location: e.currentTarget.value })}
          />
          <Field
            label="Name"
            name="q"
            type="search"
            hint="Part of the doctor's name."
            value={nameInput}
            onInput={(e) => setNameInput(e.currentTarget.value)}
          />
        </div>
        <div class="row">
          <Button type="submit">Search</Button>
          {(specialization || locationId || name) && (
            <Button
              variant="link"
              onClick={() => {
                setNameInput('');
                navigate('/doctors', {}, true);
              }}
            >
              Clear filters
            </Button>
          )}
        </div>
      </form>
      <ErrorNotice error={directory.error} />
      <section aria-labelledby="doctor-results" class="stack">
        <h2 id="doctor-results">
          {results.data ? `${results.data.length} ${results.data.length === 1 ? 'doctor' : 'doctors'}` : 'Doctors'}
        </h2>
        {results.loading && <Loading label="Looking for doctors…" />}
        <ErrorNotice error={results.error} />
        {results.data && !results.loading && results.data.length === 0 && (
          <Empty>No doctor matches these filters. Try another specialization or clinic, or clear the filters.</Empty>
        )}
        {results.data && !results.loading && results.data.length > 0 && (
          <ul class="list doctor-list">
            {results.data.map((doctor) => {
              const location = doctor.location_id !== null ? directory.data?.locations.get(doctor.location_id) : undefined;
              return (
                <li key={doctor.id} class="list-item doctor-card">
                  <h3>
                    <a href={href(`/doctors/${doctor.id}`)}>{doctorName(doctor)}</a>
                  </h3>
                  <p class="doctor-card__specialization">{doctor.specialization}</p>
                  <p class="meta">{locationLine(location)}</p>
                  {doctor.bio && <p class="doctor-card__bio">{doctor.bio}</p>}
                  <a class="button button--secondary button--small" href={href(`/doctors/${doctor.id}`)}>
                    See free times<span class="visually-hidden"> of {doctorName(doctor)}</span>
                  </a>
                </li>
              );
            })}
          </ul>
        )}
      </section>
    </div>
  );
}

/** Whether `slot` is still offered (after a 409, to tell "just taken" from other refusals). */
async function stillFree(slot: Slot): Promise<boolean> {
  const answer = await api.get<Page<Slot>>('/slots', {
    doctor_id: slot.doctor_id,
    from: slot.start_time_utc,
    to: slot.end_time_utc,
  });
  return answer.items.some((s) => s.id === slot.id);
}

/** The notice after a booking or a move was refused with 409: taken meanwhile, or why not. */
export async function conflictMessage(slot: Slot, error: ApiError): Promise<string> {
  const free = await stillFree(slot).catch(() => false);
  if (!free) return 'Sorry — that time was just taken by someone else. The free times below are up to date: please pick another.';
  return `That time can't be booked: ${error.message}. Please pick another time.`;
}

/**
 * Asks for everything the doctor's page shows (the doctor, the clinics, the first week of free
 * times) before it renders, all at once, so that its own requests find their answers on the way:
 * on a cold load these requests are most of the wait. `temporal` is when dates can be reckoned.
 */
export function prefetchDoctorPage(doctorId: number, week: string | null, temporal: Promise<void>): void {
  void prefetch(`/doctors/${doctorId}`);
  void loadLocations();
  void temporal.then(() => prefetchFirstWeek(doctorId, parseWeek(week))).catch(() => undefined);
}

function parseWeek(week: string | null): PlainDate | undefined {
  return week ? (parsePlainDate(week) ?? undefined) : undefined;
}

export function DoctorScreen({ params, query }: ScreenProps) {
  const doctorId = Number(params.id);
  const page = useAsync(
    async (signal) => {
      const [doctor, locations] = await Promise.all([
        api.get<Doctor>(`/doctors/${doctorId}`, undefined, signal),
        loadLocations(),
      ]);
      const location = doctor.location_id !== null ? locations.get(doctor.location_id) : undefined;
      return { doctor, location };
    },
    [doctorId],
  );
  const initialDate = parseWeek(query.get('week'));
  const [picked, setPicked] = useState<Slot | null>(null);
  const [refreshKey, setRefreshKey] = useState(0);
  const [conflict, setConflict] = useState<string | null>(null);

  const pick = (slot: Slot) => {
    setConflict(null);
    setPicked(slot);
  };

  if (page.loading) return <Loading label="Loading the doctor…" />;
  if (!page.data) {
    return (
      <div class="stack">
        <PageHeader title="Doctor" />
        <ErrorNotice error={page.error} />
        <p>
          <a href={href('/doctors')}>Back to all doctors</a>
        </p>
      </div>
    );
  }
  const { doctor, location } = page.data;
  return (
    <div class="stack">
      <p class="back-link">
        <a href={href('/doctors')}>← All doctors</a>
      </p>
      <PageHeader title={doctorName(doctor)} />
      <div class="card doctor-profile">
        <p class="doctor-card__specialization">{doctor.specialization}</p>
        {location && (
          <p class="meta">
            {location.name}, {location.address_line1}, {location.city}
          </p>
        )}
        {doctor.bio && <p>{doctor.bio}</p>}
      </div>
      {conflict && (
        <p class="notice notice--warning" role="alert">
          {conflict}
        </p>
      )}
      {location ? (
        <SlotPicker
          doctor={doctor}
          location={location}
          title="Free times"
          refreshKey={refreshKey}
          initialDate={initialDate}
          onWeekChange={(monday: PlainDate) => navigate(`/doctors/${doctor.id}`, { week: monday.toString() }, true)}
          onPick={pick}
        />
      ) : (
        <Notice>This doctor has no clinic listed and cannot be booked online. Please call the clinic.</Notice>
      )}
      <BookDialog
        title="Book this time"
        slot={picked}
        doctor={doctor}
        location={location}
        cancelLabel="Cancel"
        factsClass="facts"
        when={(slot, clinic) => <ClinicTime instant={slot.start_time_utc} zone={clinic.timezone} />}
        where={(clinic) => (
          <>
            {clinic.name}, {clinic.address_line1}, {clinic.city}
          </>
        )}
        reasonHint="Optional. A few words help the doctor prepare."
        onClose={() => setPicked(null)}
        onBooked={(appointment) => navigate(`/appointments/${appointment.id}`, { booked: '1' })}
        onRefused={async (slot, error) => {
          if (!(error instanceof ApiError && error.status === 409)) return;
          setConflict(await conflictMessage(slot, error));
          setPicked(null);
          setRefreshKey((k) => k + 1);
        }}
      />
    </div>
  );
}
