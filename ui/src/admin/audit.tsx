// The audit trail for admins: who did what to which record and when, filtered and paged, and
// whether the hash chains over every row still verify (a broken link means rows were altered).
import { useState } from 'preact/hooks';
import { api, ApiError } from '../lib/api';
import { useAsync } from '../lib/hooks';
import { navigate } from '../lib/router';
import type { ScreenProps } from '../lib/routes';
import { formatDateTime, formatNumber } from '../lib/time';
import { Button, Empty, ErrorNotice, Field, Loading, PageHeader, Select } from '../components/ui';
import { instantOfDate, PagerFooter, TableWrap, usePagedList } from './common';

interface AuditEntry {
  id: number;
  occurred_at: string;
  actor_role: 'patient' | 'doctor' | 'admin' | 'system';
  actor_id: number | null;
  action: string;
  entity: string;
  entity_id: number | null;
  client_addr: string | null;
  request_id: string | null;
  details: string | null;
  prev_hash: string;
  hash: string;
}

interface ChainCheck {
  ok: boolean;
  rows: number;
  chains: number;
  first_broken_id: number | null;
  problem: string | null;
}

const filterNames = ['actor_role', 'actor_id', 'entity', 'entity_id', 'action', 'from', 'to'] as const;
type Filters = Record<(typeof filterNames)[number], string>;

function ChainStatus() {
  const check = useAsync((signal) => api.get<ChainCheck>('/audit/verify', undefined, signal), []);
  const unsupported = check.error instanceof ApiError && check.error.status === 404;
  return (
    <section class="card admin-chain" aria-labelledby="chain-title" aria-busy={check.loading ? 'true' : 'false'}>
      <div class="row row--between">
        <h2 id="chain-title">Integrity of the trail</h2>
        <Button variant="secondary" busy={check.loading} onClick={check.reload}>
          Verify again
        </Button>
      </div>
      {check.loading && <Loading label="Checking every row’s hash…" />}
      {!check.loading && unsupported && <p class="meta">This server cannot verify the trail.</p>}
      {!check.loading && !unsupported && <ErrorNotice error={check.error} />}
      {!check.loading && check.data && check.data.ok && (
        <p class="notice notice--success" role="status">
          The trail verifies: all {formatNumber(check.data.rows)} rows, in {check.data.chains} hash chains,
          are as they were written.
        </p>
      )}
      {!check.loading && check.data && !check.data.ok && (
        <p class="notice notice--error" role="alert">
          The trail is broken
          {check.data.first_broken_id !== null && <> at row {check.data.first_broken_id}</>}
          {check.data.problem && <>: {check.data.problem}</>}. Rows from there on may have been altered; keep the database for
          investigation.
        </p>
      )}
    </section>
  );
}

export function AuditScreen({ query }: ScreenProps) {
  const applied = Object.fromEntries(filterNames.map((n) => [n, query.get(n) ?? ''])) as Filters;
  const [draft, setDraft] = useState<Filters>(applied);
  const list = usePagedList<AuditEntry>(
    '/audit',
    {
      actor_role: applied.actor_role,
      actor_id: applied.actor_id,
      entity: applied.entity,
      entity_id: applied.entity_id,
      action: applied.action,
      from: instantOfDate(applied.from, 'UTC'),
      to: instantOfDate(applied.to, 'UTC', 1),
    },
    50,
  );
  const activeCount = filterNames.filter((n) => applied[n] !== '').length;
  // Open on wide screens; on a phone the filters would push the rows far down.
  const [filtersOpen] = useState(() => activeCount > 0 || window.matchMedia('(min-width: 48rem)').matches);
  const edit = (name: keyof Filters) => (e: { currentTarget: { value: string } }) => setDraft({ ...draft, [name]: e.currentTarget.value });

  return (
    <div class="stack admin-page">
      <PageHeader title="Audit trail" />
      <ChainStatus />
      <details class="card admin-audit-filters" open={filtersOpen}>
        <summary>Filters{activeCount > 0 && ` (${activeCount} applied)`}</summary>
        <form
          class="admin-audit-filters__form"
          aria-label="Filter the audit trail"
          onSubmit={(e) => {
            e.preventDefault();
            navigate('/audit', { ...draft }, true);
          }}
        >
          <div class="admin-filter-grid">
            <Select
              label="Who (role)"
              name="actor_role"
              value={draft.actor_role}
              onChange={edit('actor_role')}
              error={list.error}
              options={[
                { value: '', label: 'Anyone' },
                { value: 'admin', label: 'Admins' },
                { value: 'doctor', label: 'Doctors' },
                { value: 'patient', label: 'Patients' },
                { value: 'system', label: 'The system' },
              ]}
            />
            <Field label="Who (id)" name="actor_id" inputMode="numeric" value={draft.actor_id} onInput={edit('actor_id')} error={list.error} />
            <Field label="Action" name="action" value={draft.action} placeholder="auth.login.failure" onInput={edit('action')} error={list.error} />
            <Field label="Record kind" name="entity" value={draft.entity} placeholder="appointment" onInput={edit('entity')} error={list.error} />
            <Field label="Record id" name="entity_id" inputMode="numeric" value={draft.entity_id} onInput={edit('entity_id')} error={list.error} />
            <Field label="From (UTC day)" name="from" type="date" value={draft.from} onInput={edit('from')} error={list.error} />
            <Field label="To (UTC day)" name="to" type="date" value={draft.to} onInput={edit('to')} error={list.error} />
          </div>
          <div class="row">
            <Button type="submit">Apply filters</Button>
            <Button
              variant="secondary"
              onClick={() => {
                const empty = Object.fromEntries(filterNames.map((n) => [n, ''])) as Filters;
                setDraft(empty);
                navigate('/audit', {}, true);
              }}
            >
              Clear
            </Button>
          </div>
        </form>
      </details>
      {!list.loading && !list.error && list.items.length === 0 && <Empty>No audit rows match these filters.</Empty>}
      {list.items.length > 0 && (
        <TableWrap label="Audit rows, scrollable">
          <table class="admin-audit">
            <caption class="visually-hidden">Audit rows, oldest first; times in UTC</caption>
            <thead>
              <tr>
                <th scope="col">Row</th>
                <th scope="col">When (UTC)</th>
                <th scope="col">Who</th>
                <th scope="col">Action</th>
                <th scope="col">Record</th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((row) => (
                <tr key={row.id}>
                  <td class="num">{row.id}</td>
                  <td>{formatDateTime(row.occurred_at, 'UTC')}</td>
                  <td>
                    {row.actor_role}
                    {row.actor_id !== null && ` #${row.actor_id}`}
                    {row.client_addr && <div class="meta">{row.client_addr}</div>}
                  </td>
                  <td>
                    <code>{row.action}</code>
                  </td>
                  <td>
                    {row.entity}
                    {row.entity_id !== null && ` #${row.entity_id}`}
                  </td>
                  <td>
                    {row.details ?? '—'}
                    <div class="meta admin-hash">
                      hash {row.hash.slice(0, 12)}…{row.request_id && ` · request ${row.request_id}`}
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      <PagerFooter list={list} noun="audit rows" />
    </div>
  );
}
