// People and places: the front desk lists, searches, creates, edits, soft-deletes and restores
// patients, doctors and admins, and lists, creates and edits locations. One description per kind
// of record drives the list, the create form and the edit form.
import type { TargetedEvent } from 'preact';
import { useId, useState } from 'preact/hooks';
import { api } from '../lib/api';
import { useAction, useAsync } from '../lib/hooks';
import { href, navigate } from '../lib/router';
import type { ScreenProps } from '../lib/routes';
import { doctorName, personName } from '../lib/session';
import type { Admin, Doctor, Location, Patient } from '../lib/types';
import { formatDateTime, zoneCity } from '../lib/time';
import { Badge, Button, Dialog, Empty, ErrorNotice, Field, Loading, Notice, PageHeader, Select, TextArea } from '../components/ui';
import { forgetDirectory, PagerFooter, useLocations, usePagedList } from './common';

type Kind = 'patients' | 'doctors' | 'locations' | 'admins';

interface DirectoryRecord {
  id: number;
  deleted_at?: string | null;
  [field: string]: unknown;
}

type InputKind = 'text' | 'email' | 'tel' | 'date' | 'password' | 'textarea' | 'gender' | 'location' | 'timezone' | 'checkbox';

interface FieldSpec {
  name: string;
  label: string;
  input: InputKind;
  required?: boolean;
  /** Only asked when creating (passwords). */
  createOnly?: boolean;
  hint?: string;
  autoComplete?: string;
  minLength?: number;
  /** Where a checkbox starts on a new record. */
  initial?: boolean;
}

interface Summary {
  title: string;
  details: string[];
  inactive?: boolean;
}

interface KindSpec {
  plural: string;
  singular: string;
  /** Soft delete and restore exist (not for locations). */
  deletable: boolean;
  searchable: boolean;
  listQuery?: Record<string, boolean>;
  fields: FieldSpec[];
  summary: (record: DirectoryRecord, locations: Location[]) => Summary;
}

const genderOptions = [
  { value: '', label: 'Not given' },
  { value: 'female', label: 'Female' },
  { value: 'male', label: 'Male' },
  { value: 'other', label: 'Other' },
  { value: 'prefer_not_to_say', label: 'Prefers not to say' },
];

/** A new login's password: asked only when creating, at least 10 characters as the server requires. */
function passwordField({ label, hint, required }: { label: string; hint: string; required?: boolean }): FieldSpec {
  return { name: 'password', label, input: 'password', required, createOnly: true, minLength: 10, autoComplete: 'new-password', hint };
}

const kinds: Record<Kind, KindSpec> = {
  patients: {
    plural: 'Patients',
    singular: 'patient',
    deletable: true,
    searchable: true,
    fields: [
      { name: 'first_name', label: 'First name', input: 'text', required: true, autoComplete: 'off' },
      { name: 'last_name', label: 'Last name', input: 'text', required: true, autoComplete: 'off' },
      { name: 'email', label: 'Email', input: 'email', required: true, autoComplete: 'off' },
      { name: 'phone', label: 'Phone', input: 'tel', autoComplete: 'off' },
      { name: 'date_of_birth', label: 'Date of birth', input: 'date' },
      { name: 'gender', label: 'Gender', input: 'gender' },
      { name: 'notes', label: 'Notes', input: 'textarea' },
      passwordField({ label: 'Password (optional)', hint: 'Leave empty when the patient has no login yet. At least 10 characters.' }),
    ],
    summary: (r) => {
      const p = r as unknown as Patient;
      return {
        title: personName(p),
        details: [p.email, p.phone ?? '', p.date_of_birth ? `Born ${p.date_of_birth}` : '', p.has_login === false ? 'No login yet' : ''].filter(Boolean),
      };
    },
  },
  doctors: {
    plural: 'Doctors',
    singular: 'doctor',
    deletable: true,
    searchable: true,
    listQuery: { include_inactive: true },
    fields: [
      { name: 'first_name', label: 'First name', input: 'text', required: true, autoComplete: 'off' },
      { name: 'last_name', label: 'Last name', input: 'text', required: true, autoComplete: 'off' },
      { name: 'email', label: 'Email', input: 'email', required: true, autoComplete: 'off' },
      passwordField({
        label: 'Password',
        required: true,
        hint: 'At least 10 characters. Give it to the doctor in person; they can change it under Account.',
      }),
      { name: 'phone', label: 'Phone', input: 'tel', autoComplete: 'off' },
      { name: 'specialization', label: 'Specialization', input: 'text', required: true },
      { name: 'location_id', label: 'Location', input: 'location' },
      { name: 'bio', label: 'Short biography', input: 'textarea' },
      { name: 'is_active', label: 'Takes bookings (active)', input: 'checkbox', initial: true },
    ],
    summary: (r, locations) => {
      const d = r as unknown as Doctor;
      const location = locations.find((l) => l.id === d.location_id);
      return {
        title: doctorName(d),
        details: [d.specialization, location?.name ?? 'No location', d.email ?? ''].filter(Boolean),
        inactive: d.is_active === false,
      };
    },
  },
  locations: {
    plural: 'Locations',
    singular: 'location',
    deletable: false,
    searchable: false,
    fields: [
      { name: 'name', label: 'Name', input: 'text', required: true },
      { name: 'address_line1', label: 'Address', input: 'text', required: true },
      { name: 'address_line2', label: 'Address, second line', input: 'text' },
      { name: 'city', label: 'City', input: 'text', required: true },
      { name: 'state_region', label: 'State or region', input: 'text' },
      { name: 'postal_code', label: 'Postal code', input: 'text' },
      { name: 'country', label: 'Country', input: 'text', required: true },
      { name: 'phone', label: 'Phone', input: 'tel' },
      {
        name: 'timezone',
        label: 'Time zone',
        input: 'timezone',
        required: true,
        hint: 'The IANA name, such as America/New_York; every time at this location is shown in it.',
      },
    ],
    summary: (r) => {
      const l = r as unknown as Location;
      return {
        title: l.name,
        details: [[l.address_line1, l.city, l.country].filter(Boolean).join(', '), `${zoneCity(l.timezone)} time (${l.timezone})`],
      };
    },
  },
  admins: {
    plural: 'Admins',
    singular: 'admin',
    deletable: true,
    searchable: true,
    fields: [
      { name: 'username', label: 'Username', input: 'text', required: true, autoComplete: 'off' },
      { name: 'email', label: 'Email', input: 'email', required: true, autoComplete: 'off' },
      passwordField({ label: 'Password', required: true, hint: 'At least 10 characters.' }),
    ],
    summary: (r) => {
      const a = r as unknown as Admin;
      return {
        title: a.username,
        details: [a.email, a.last_login_at ? `Last login ${formatDateTime(a.last_login_at, 'UTC')} UTC` : 'Never logged in'],
      };
    },
  },
};

function kindOf(params: Record<string, string>): Kind | null {
  const kind = params.kind ?? 'patients';
  return kind in kinds ? (kind as Kind) : null;
}

function KindTabs({ current }: { current: Kind }) {
  return (
    <nav class="tabs" aria-label="Kinds of records">
      {(Object.keys(kinds) as Kind[]).map((k) => (
        <a key={k} href={href(`/people/${k}`)} aria-current={k === current ? 'page' : undefined}>
          {kinds[k].plural}
        </a>
      ))}
    </nav>
  );
}

function NotFoundKind() {
  return (
    <div>
      <PageHeader title="Not found" />
      <p>
        There is no such list. <a href={href('/people')}>Go to the patients</a>.
      </p>
    </div>
  );
}

function BackToList({ kind }: { kind: Kind }) {
  return (
    <p>
      <a href={href(`/people/${kind}`)}>← All {kinds[kind].plural.toLowerCase()}</a>
    </p>
  );
}

/** Restores a soft-deleted record; the cached directory (doctors, locations) is stale after it. */
async function restoreRecord(kind: Kind, id: number): Promise<DirectoryRecord> {
  const restored = await api.post<DirectoryRecord>(`/${kind}/${id}/restore`);
  forgetDirectory();
  return restored;
}

function Checkbox({ label, checked, onChange, name }: { label: string; checked: boolean; onChange: (value: boolean) => void; name: string }) {
  const id = useId();
  return (
    <div class="admin-check">
      <input id={id} name={name} type="checkbox" checked={checked} onChange={(e) => onChange(e.currentTarget.checked)} />
      <label for={id}>{label}</label>
    </div>
  );
}

// ---- list ---------------------------------------------------------------------------------------

export function PeopleScreen({ params, query }: ScreenProps) {
  const kind = kindOf(params);
  if (!kind) return <NotFoundKind />;
  return <RecordList key={kind} kind={kind} query={query} />;
}

function RecordList({ kind, query }: { kind: Kind; query: URLSearchParams }) {
  const spec = kinds[kind];
  const q = query.get('q') ?? '';
  const showDeleted = query.get('deleted') === '1';
  const [search, setSearch] = useState(q);
  const list = usePagedList<DirectoryRecord>(`/${kind}`, {
    ...spec.listQuery,
    q: spec.searchable ? q : undefined,
    include_deleted: spec.deletable && showDeleted ? true : undefined,
  });
  const locations = useLocations();
  const [deleting, setDeleting] = useState<DirectoryRecord | null>(null);
  const [message, setMessage] = useState<string | null>(null);

  const restore = useAction(async (record: DirectoryRecord) => {
    const restored = await restoreRecord(kind, record.id);
    list.replace(restored);
    setMessage(`${spec.summary(restored, locations.data ?? []).title} is restored.`);
  });

  const setQuery = (next: { q?: string; deleted?: boolean }) =>
    navigate(`/people/${kind}`, { q: next.q ?? q, deleted: (next.deleted ?? showDeleted) ? '1' : undefined }, true);

  return (
    <div>
      <PageHeader title="People & places">
        <a class="button button--primary" href={href(`/people/${kind}/new`)}>
          New {spec.singular}
        </a>
      </PageHeader>
      <KindTabs current={kind} />
      {(spec.searchable || spec.deletable) && (
        <form
          class="toolbar"
          role="search"
          aria-label={`Search ${spec.plural.toLowerCase()}`}
          onSubmit={(e) => {
            e.preventDefault();
            setQuery({ q: search.trim() });
          }}
        >
          {spec.searchable && (
            <Field
              label={`Search ${spec.plural.toLowerCase()}`}
              name="q"
              type="search"
              value={search}
              placeholder="Part of a name or email"
              onInput={(e) => setSearch(e.currentTarget.value)}
            />
          )}
          {spec.searchable && (
            <Button type="submit" variant="secondary">
              Search
            </Button>
          )}
          {spec.deletable && (
            <Checkbox name="deleted" label="Show deleted" checked={showDeleted} onChange={(deleted) => setQuery({ deleted })} />
          )}
        </form>
      )}
      {message && <Notice kind="success">{message}</Notice>}
      <ErrorNotice error={restore.error} />
      {!list.loading && !list.error && list.items.length === 0 && (
        <Empty>{q ? `No ${spec.plural.toLowerCase()} match “${q}”.` : `There are no ${spec.plural.toLowerCase()} yet.`}</Empty>
      )}
      <ul class="list admin-records" aria-label={spec.plural}>
        {list.items.map((record) => {
          const summary = spec.summary(record, locations.data ?? []);
          const deleted = Boolean(record.deleted_at);
          return (
            <li key={record.id} class={`list-item admin-record${deleted ? ' admin-record--deleted' : ''}`}>
              <div class="admin-record__main">
                <h2 class="admin-record__title">
                  <a href={href(`/people/${kind}/${record.id}`)}>{summary.title}</a>
                  {deleted && <Badge kind="deleted">Deleted</Badge>}
                  {summary.inactive && <Badge kind="inactive">Inactive</Badge>}
                </h2>
                <p class="meta">{summary.details.join(' · ')}</p>
              </div>
              <div class="row admin-record__actions">
                {kind === 'patients' && !deleted && (
                  <a class="button button--secondary button--small" href={href('/desk', { patient: record.id })}>
                    Book<span class="visually-hidden"> for {summary.title}</span>
                  </a>
                )}
                <a class="button button--secondary button--small" href={href(`/people/${kind}/${record.id}`)}>
                  Edit<span class="visually-hidden"> {summary.title}</span>
                </a>
                {spec.deletable &&
                  (deleted ? (
                    <Button variant="secondary" class="button button--secondary button--small" busy={restore.busy} onClick={() => void restore.run(record)}>
                      Restore<span class="visually-hidden"> {summary.title}</span>
                    </Button>
                  ) : (
                    <Button variant="danger" class="button button--danger button--small" onClick={() => setDeleting(record)}>
                      Delete<span class="visually-hidden"> {summary.title}</span>
                    </Button>
                  ))}
              </div>
            </li>
          );
        })}
      </ul>
      <PagerFooter list={list} noun={spec.plural.toLowerCase()} />
      <DeleteDialog
        kind={kind}
        record={deleting}
        title={deleting ? spec.summary(deleting, locations.data ?? []).title : ''}
        onClose={() => setDeleting(null)}
        onDeleted={(title) => {
          setDeleting(null);
          forgetDirectory();
          setMessage(`${title} is deleted. Their history stays; “Show deleted” lists them to restore.`);
          list.reload();
        }}
      />
    </div>
  );
}

function DeleteDialog({
  kind,
  record,
  title,
  onClose,
  onDeleted,
}: {
  kind: Kind;
  record: DirectoryRecord | null;
  title: string;
  onClose: () => void;
  onDeleted: (title: string) => void;
}) {
  const remove = useAction(async () => {
    if (!record) return;
    await api.del(`/${kind}/${record.id}`);
    onDeleted(title);
  });
  return (
    <Dialog
      title={`Delete ${title}?`}
      open={record !== null}
      onClose={() => {
        remove.setError(undefined);
        onClose();
      }}
    >
      <div class="stack">
        <p>
          {title} can no longer log in and no longer appears in searches. Appointments, payments and messages stay. You can
          restore the {kinds[kind].singular} later.
        </p>
        <ErrorNotice error={remove.error} />
        <div class="row">
          <Button variant="danger" busy={remove.busy} onClick={() => void remove.run()}>
            Delete
          </Button>
          <Button variant="secondary" onClick={onClose}>
            Keep
          </Button>
        </div>
      </div>
    </Dialog>
  );
}

// ---- forms --------------------------------------------------------------------------------------

type FormValues = Record<string, string | boolean>;

function valuesOf(spec: KindSpec, record: DirectoryRecord | null): FormValues {
  const values: FormValues = {};
  for (const field of spec.fields) {
    const value = record?.[field.name];
    if (field.input === 'checkbox') values[field.name] = typeof value === 'boolean' ? value : (field.initial ?? false);
    else values[field.name] = value === null || value === undefined ? '' : String(value);
  }
  return values;
}

function wireValue(field: FieldSpec, value: string | boolean): unknown {
  if (field.input === 'checkbox') return Boolean(value);
  const text = String(value).trim();
  if (text === '') return null;
  if (field.input === 'location') return Number(text);
  return field.input === 'password' ? String(value) : text;
}

/** Create: every filled field. Edit: only what changed; an emptied optional field becomes null. */
function bodyOf(spec: KindSpec, values: FormValues, original: FormValues | null): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const field of spec.fields) {
    const value = values[field.name] ?? '';
    if (original) {
      if (field.createOnly || value === original[field.name]) continue;
      body[field.name] = wireValue(field, value);
    } else {
      const wire = wireValue(field, value);
      if (wire !== null) body[field.name] = wire;
    }
  }
  return body;
}

const timeZones: string[] = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];

function RecordForm({
  spec,
  values,
  onChange,
  creating,
  error,
}: {
  spec: KindSpec;
  values: FormValues;
  onChange: (values: FormValues) => void;
  creating: boolean;
  error: unknown;
}) {
  const locations = useLocations();
  const set = (name: string) => (e: TargetedEvent<HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>) =>
    onChange({ ...values, [name]: e.currentTarget.value });
  return (
    <div class="admin-form-fields">
      {spec.fields
        .filter((f) => creating || !f.createOnly)
        .map((f) => {
          const value = values[f.name];
          const text = typeof value === 'string' ? value : '';
          // What every text-like control of a field is wired with.
          const wiring = { label: f.label, name: f.name, value: text, error };
          switch (f.input) {
            case 'checkbox':
              return <Checkbox key={f.name} name={f.name} label={f.label} checked={value === true} onChange={(v) => onChange({ ...values, [f.name]: v })} />;
            case 'textarea':
              return <TextArea key={f.name} {...wiring} onInput={set(f.name)} hint={f.hint} />;
            case 'gender':
              return <Select key={f.name} {...wiring} onChange={set(f.name)} options={genderOptions} />;
            case 'location':
              return (
                <Select
                  key={f.name}
                  {...wiring}
                  onChange={set(f.name)}
                  hint={locations.loading ? 'Loading locations…' : undefined}
                  options={[{ value: '', label: 'No location' }, ...(locations.data ?? []).map((l) => ({ value: String(l.id), label: l.name }))]}
                />
              );
            case 'timezone': {
              const zones = timeZones.includes(text) || text === '' ? timeZones : [text, ...timeZones];
              return (
                <Select
                  key={f.name}
                  {...wiring}
                  onChange={set(f.name)}
                  hint={f.hint}
                  required={f.required}
                  options={[{ value: '', label: 'Choose a time zone' }, ...zones.map((z) => ({ value: z, label: z }))]}
                />
              );
            }
            default:
              return (
                <Field
                  key={f.name}
                  {...wiring}
                  type={f.input}
                  onInput={set(f.name)}
                  hint={f.hint}
                  required={f.required}
                  minLength={f.minLength}
                  autoComplete={f.autoComplete}
                />
              );
          }
        })}
    </div>
  );
}

export function CreateRecordScreen({ params }: ScreenProps) {
  const kind = kindOf(params);
  if (!kind) return <NotFoundKind />;
  return <CreateRecord key={kind} kind={kind} />;
}

function CreateRecord({ kind }: { kind: Kind }) {
  const spec = kinds[kind];
  const [values, setValues] = useState<FormValues>(() => valuesOf(spec, null));
  const create = useAction(async () => {
    const created = await api.post<DirectoryRecord>(`/${kind}`, bodyOf(spec, values, null));
    forgetDirectory();
    navigate(`/people/${kind}/${created.id}`, { created: '1' });
  });
  return (
    <div class="admin-narrow">
      <BackToList kind={kind} />
      <PageHeader title={`New ${spec.singular}`} />
      <form
        class="card"
        aria-label={`New ${spec.singular}`}
        onSubmit={(e) => {
          e.preventDefault();
          void create.run();
        }}
      >
        <RecordForm spec={spec} values={values} onChange={setValues} creating error={create.error} />
        <ErrorNotice error={create.error} />
        <div class="row">
          <Button type="submit" busy={create.busy}>
            Create {spec.singular}
          </Button>
          <a class="button button--secondary" href={href(`/people/${kind}`)}>
            Cancel
          </a>
        </div>
      </form>
    </div>
  );
}

export function EditRecordScreen({ params, query }: ScreenProps) {
  const kind = kindOf(params);
  if (!kind) return <NotFoundKind />;
  return <EditRecord key={`${kind}/${params.id}`} kind={kind} id={Number(params.id)} justCreated={query.get('created') === '1'} />;
}

function EditRecord({ kind, id, justCreated }: { kind: Kind; id: number; justCreated: boolean }) {
  const spec = kinds[kind];
  const record = useAsync((signal) => api.get<DirectoryRecord>(`/${kind}/${id}`, undefined, signal), [kind, id]);
  const locations = useLocations();
  const [values, setValues] = useState<FormValues | null>(null);
  const [message, setMessage] = useState<string | null>(justCreated ? `The ${spec.singular} is created.` : null);
  const [deleting, setDeleting] = useState(false);

  const original = record.data ? valuesOf(spec, record.data) : null;
  const current = values ?? original;
  const changes = current && original ? bodyOf(spec, current, original) : {};

  const save = useAction(async () => {
    const updated = await api.patch<DirectoryRecord>(`/${kind}/${id}`, changes);
    forgetDirectory();
    record.setData(updated);
    setValues(null);
    setMessage('Your changes are saved.');
  });
  const restore = useAction(async () => {
    const restored = await restoreRecord(kind, id);
    record.setData(restored);
    setMessage(`The ${spec.singular} is restored.`);
  });

  if (record.loading && !record.data) return <Loading />;
  if (!record.data || !current) return <ErrorNotice error={record.error} />;
  const summary = spec.summary(record.data, locations.data ?? []);
  const deleted = Boolean(record.data.deleted_at);

  return (
    <div class="admin-narrow">
      <BackToList kind={kind} />
      <PageHeader title={summary.title}>
        {kind === 'patients' && !deleted && (
          <a class="button button--primary" href={href('/desk', { patient: id })}>
            Book an appointment
          </a>
        )}
        {(kind === 'patients' || kind === 'doctors') && (
          <a class="button button--secondary" href={href('/appointments', { [kind === 'patients' ? 'patient_id' : 'doctor_id']: id })}>
            Appointments
          </a>
        )}
        {kind === 'patients' && (
          <a class="button button--secondary" href={href('/payments', { patient_id: id })}>
            Payments
          </a>
        )}
      </PageHeader>
      {deleted && record.data.deleted_at && (
        <Notice kind="warning">
          This {spec.singular} was deleted on {formatDateTime(record.data.deleted_at, 'UTC')} UTC. Restore them to let them log in and be
          booked again.
        </Notice>
      )}
      {message && <Notice kind="success">{message}</Notice>}
      <form
        class="card"
        aria-label={`Edit ${summary.title}`}
        onSubmit={(e) => {
          e.preventDefault();
          setMessage(null);
          void save.run();
        }}
      >
        <RecordForm spec={spec} values={current} onChange={setValues} creating={false} error={save.error} />
        <ErrorNotice error={save.error} />
        <div class="row">
          <Button type="submit" busy={save.busy} disabled={Object.keys(changes).length === 0}>
            Save changes
          </Button>
          {values && (
            <Button variant="secondary" onClick={() => setValues(null)}>
              Undo changes
            </Button>
          )}
        </div>
      </form>
      {spec.deletable && (
        <section class="card admin-danger" aria-labelledby="danger-title">
          <h2 id="danger-title">{deleted ? 'Restore' : 'Delete'}</h2>
          <ErrorNotice error={restore.error} />
          {deleted ? (
            <Button busy={restore.busy} onClick={() => void restore.run()}>
              Restore {spec.singular}
            </Button>
          ) : (
            <div class="stack">
              <p class="meta">A deleted {spec.singular} keeps their history and can be restored.</p>
              <div>
                <Button variant="danger" onClick={() => setDeleting(true)}>
                  Delete {spec.singular}
                </Button>
              </div>
            </div>
          )}
        </section>
      )}
      <DeleteDialog
        kind={kind}
        record={deleting ? record.data : null}
        title={summary.title}
        onClose={() => setDeleting(false)}
        onDeleted={() => {
          setDeleting(false);
          forgetDirectory();
          setMessage(`The ${spec.singular} is deleted.`);
          record.reload();
        }}
      />
    </div>
  );
}
