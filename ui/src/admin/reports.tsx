// Reports for admins: bookings, no-shows and slot utilisation, and revenue per currency, per day,
// doctor, location or specialization. Each report is a uPlot chart, a table of the same numbers
// and a CSV download of them from the server. This module (and uPlot with it) loads only when an
// admin opens the screen.
import type { ComponentChildren } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { request, type Query } from '../lib/api';
import { useAction, useAsync } from '../lib/hooks';
import { navigate } from '../lib/router';
import type { ScreenProps } from '../lib/routes';
import { Temporal } from '../lib/temporal';
import { formatMoney, formatNumber, formatPlainDate, locale, todayIn, zoneCity } from '../lib/time';
import { Button, Empty, ErrorNotice, Field, Loading, Select } from '../components/ui';
import { fallbackZone, TableWrap, useLocations } from './common';

type GroupBy = 'day' | 'doctor' | 'location' | 'specialization';

interface AppointmentFigures {
  key: string;
  label: string;
  booked: number;
  completed: number;
  cancelled: number;
  no_show: number;
  offered_slots: number;
  no_show_rate: number | null;
  utilisation: number | null;
}

interface RevenueFigures {
  key: string;
  label: string;
  currency: string;
  paid_cents: number;
  refunded_cents: number;
  net_cents: number;
}

interface Report<T> {
  from: string;
  to: string;
  group_by: GroupBy;
  rows: T[];
}

const groupOptions: { value: GroupBy; label: string }[] = [
  { value: 'day', label: 'Day' },
  { value: 'doctor', label: 'Doctor' },
  { value: 'location', label: 'Location' },
  { value: 'specialization', label: 'Specialization' },
];

const colours = { first: '#0b6e69', second: '#b3261e', third: '#1a56db' };

function isGroup(value: string | null): value is GroupBy {
  return value === 'day' || value === 'doctor' || value === 'location' || value === 'specialization';
}

function dayLabel(key: string): string {
  try {
    return formatPlainDate(Temporal.PlainDate.from(key), { weekday: 'short', year: 'numeric', month: 'short', day: 'numeric' });
  } catch {
    return key;
  }
}

function percent(value: number | null): string {
  return value === null ? '—' : formatNumber(value, { style: 'percent', maximumFractionDigits: 1 });
}

function minorDigits(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/** Fetches the report as CSV (the server's own rendering) and hands it to the browser to save. */
async function downloadCsv(path: string, query: Query, fileName: string): Promise<void> {
  const text = await request<string>('GET', path, { query, accept: 'text/csv' });
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // The browser has taken the bytes once the click is handled; the URL can go a little later.
  window.setTimeout(() => URL.revokeObjectURL(url), 30_000);
}

interface ChartSpec {
  /** x positions: epoch seconds of each day's midnight in `zone`, or 0..n-1 for named groups. */
  xs: number[];
  names: string[];
  series: { label: string; values: (number | null)[]; colour: string; kind: 'bar-left' | 'bar-right' | 'line'; scale: string }[];
  scales: { key: string; format: (value: number) => string }[];
}

/** One uPlot chart that follows its container's width; rebuilt when its data change. */
function Chart({ spec, zone, description }: { spec: ChartSpec; zone: string | null; description: string }) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = host.current;
    if (!element) return;
    const height = 260;
    const timeAxis = zone !== null;
    const crowded = !timeAxis && element.clientWidth / Math.max(spec.names.length, 1) < 110;
    const bars = (align: -1 | 1) => uPlot.paths.bars?.({ size: [0.35, 40], align });
    const options: uPlot.Options = {
      width: Math.max(element.clientWidth, 280),
      height,
      ...(timeAxis ? { tzDate: (ts: number) => uPlot.tzDate(new Date(ts * 1000), zone) } : {}),
      scales: {
        // Room on both sides, so that the bars beside the first and last group show whole.
        x: timeAxis ? { time: true } : { time: false, range: (_u, min, max) => [min - 0.6, max + 0.6] },
        // From zero (or below it: a day's refunds can outweigh its payments) to a little above the top.
        ...Object.fromEntries(
          spec.scales.map((s) => [
            s.key,
            { auto: true, range: (_u: uPlot, min: number, max: number): uPlot.Range.MinMax => [Math.min(0, min * 1.1), max > 0 ? max * 1.1 : 1] },
          ]),
        ),
      },
      axes: [
        timeAxis
          ? {
              stroke: '#4f5d66',
              // Whole days only: a report has no time of day.
              incrs: [86_400, 2 * 86_400, 7 * 86_400, 14 * 86_400, 28 * 86_400],
              values: (_u, splits) => splits.map((ts) => formatDayTick(ts, zone)),
            }
          : {
              stroke: '#4f5d66',
              splits: () => spec.xs,
              values: (_u, splits) => splits.map((i) => spec.names[i] ?? ''),
              // Names slant when the columns are too narrow for them (a phone, many doctors).
              ...(crowded ? { rotate: -35, size: 16 + 6 * Math.max(4, ...spec.names.map((n) => n.length)) } : {}),
            },
        ...spec.scales.map((s, i) => ({
          scale: s.key,
          side: i === 0 ? 3 : 1,
          stroke: '#4f5d66',
          size: (_u: uPlot, values: string[] | undefined) => 16 + 7.5 * Math.max(4, ...(values ?? []).map((v) => v.length)),
          grid: { show: i === 0 },
          values: (_u: uPlot, splits: number[]) => splits.map(s.format),
        })),
      ],
      series: [
        { label: timeAxis ? 'Day' : 'Group', value: (_u, v) => (v === null ? '—' : timeAxis ? '' : (spec.names[v] ?? '')) },
        ...spec.series.map((s) => {
          const format = spec.scales.find((sc) => sc.key === s.scale)?.format ?? String;
          return {
            label: s.label,
            scale: s.scale,
            stroke: s.colour,
            width: s.kind === 'line' ? 2 : 1,
            fill: s.kind === 'line' ? undefined : `${s.colour}cc`,
            // Between named groups a line would suggest an order that is not there: points only.
            paths: s.kind === 'bar-left' ? bars(-1) : s.kind === 'bar-right' ? bars(1) : timeAxis ? undefined : () => null,
            points: { show: s.kind === 'line' },
            value: (_u: uPlot, v: number | null) => (v === null ? '—' : format(v)),
          };
        }),
      ],
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
    };
    // A time scale ranges exactly over its data: an empty day before the first and after the last
    // gives the bars beside them (and a single day's ticks) room.
    const first = spec.xs[0];
    const last = spec.xs[spec.xs.length - 1];
    const padded = timeAxis && first !== undefined && last !== undefined;
    const data: uPlot.AlignedData = padded
      ? [[first - 86_400, ...spec.xs, last + 86_400], ...spec.series.map((s) => [null, ...s.values, null])]
      : [spec.xs, ...spec.series.map((s) => s.values)];
    const plot = new uPlot(options, data, element);
    const observer = new ResizeObserver(() => plot.setSize({ width: Math.max(element.clientWidth, 280), height }));
    observer.observe(element);
    return () => {
      observer.disconnect();
      plot.destroy();
    };
  }, [spec, zone]);
  return (
    <figure class="admin-chart">
      <div ref={host} role="img" aria-label={description} class="admin-chart__plot" />
      <figcaption class="admin-chart__key">
        {spec.series.map((s) => (
          <span key={s.label} class="admin-chart__key-item">
            <span class={`admin-chart__swatch${s.kind === 'line' ? ' admin-chart__swatch--line' : ''}`} style={{ background: s.colour }} />
            {s.label}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}

const dayTickFormatters = new Map<string, Intl.DateTimeFormat>();
function formatDayTick(epochSeconds: number, zone: string): string {
  let f = dayTickFormatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, { month: 'short', day: 'numeric', timeZone: zone });
    dayTickFormatters.set(zone, f);
  }
  return f.format(new Date(epochSeconds * 1000));
}

/** A report row's group: a day (`key` is its date) or a doctor, clinic or specialization. */
interface GroupRow {
  key: string;
  label: string;
}

/** Where each group sits on a chart's x axis and what it is called there. */
function groupAxis(rows: GroupRow[], group: GroupBy, zone: string): Pick<ChartSpec, 'xs' | 'names'> {
  return {
    xs:
      group === 'day'
        ? rows.map((r) => Temporal.PlainDate.from(r.key).toZonedDateTime({ timeZone: zone }).epochMilliseconds / 1000)
        : rows.map((_r, i) => i),
    names: rows.map((r) => (group === 'day' ? dayLabel(r.key) : r.label)),
  };
}

/** The heading of a report table's group column. */
function groupTitle(group: GroupBy): string {
  return group === 'day' ? 'Day' : groupOptions.find((g) => g.value === group)?.label ?? 'Group';
}

/** A group's name heading its table row: a day as a date, else the server's label. */
function GroupName({ row, group }: { row: GroupRow; group: GroupBy }) {
  return <th scope="row">{group === 'day' ? <time dateTime={row.key}>{dayLabel(row.key)}</time> : row.label}</th>;
}

function CsvButton({ path, query, fileName, label }: { path: string; query: Query; fileName: string; label: string }) {
  const download = useAction(() => downloadCsv(path, query, fileName));
  const [done, setDone] = useState(false);
  return (
    <div class="row">
      <Button
        variant="secondary"
        busy={download.busy}
        onClick={async () => {
          setDone(false);
          await download.run();
          setDone(true);
        }}
      >
        {label}
      </Button>
      {done && !download.error && (
        <span class="meta" role="status">
          Saved as {fileName}.
        </span>
      )}
      <ErrorNotice error={download.error} />
    </div>
  );
}

/** One report's card: its title, the CSV download of its period, and its chart and table (or why there are none). */
function ReportSection({
  name,
  title,
  report,
  query,
  intro,
  empty,
  children,
}: {
  /** The report's name in the API (`/reports/{name}`) and in its CSV file's name. */
  name: 'appointments' | 'revenue';
  title: string;
  report: { from: string; to: string };
  query: Query;
  intro?: ComponentChildren;
  /** What to say instead of the chart and table when the period has no figures; false when it has. */
  empty: string | false;
  children: ComponentChildren;
}) {
  return (
    <section class="card stack" aria-labelledby={`${name}-report-title`}>
      <div class="row row--between">
        <h2 id={`${name}-report-title`}>{title}</h2>
        <CsvButton path={`/reports/${name}`} query={query} fileName={`${name}-${report.from}-${report.to}.csv`} label={`Download ${name} CSV`} />
      </div>
      {intro}
      {empty ? <Empty>{empty}</Empty> : <>{children}</>}
    </section>
  );
}

/** A report's figures as a scrollable table: one row per group, numeric columns aligned right. */
function FiguresTable({
  label,
  tableLabel,
  caption,
  columns,
  children,
}: {
  label: string;
  tableLabel?: string;
  caption: string;
  columns: { title: string; numeric?: boolean }[];
  children: ComponentChildren;
}) {
  return (
    <TableWrap label={label}>
      <table aria-label={tableLabel}>
        <caption class="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.title} scope="col" class={c.numeric ? 'num' : undefined}>
                {c.title}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </TableWrap>
  );
}

function AppointmentsReport({ report, zone, query }: { report: Report<AppointmentFigures>; zone: string; query: Query }) {
  const group = report.group_by;
  const spec = useMemo<ChartSpec>(() => {
    const rows = report.rows;
    return {
      ...groupAxis(rows, group, zone),
      series: [
        { label: 'Booked', values: rows.map((r) => r.booked), colour: colours.first, kind: 'bar-left', scale: 'count' },
        { label: 'No-shows', values: rows.map((r) => r.no_show), colour: colours.second, kind: 'bar-right', scale: 'count' },
        { label: 'Utilisation', values: rows.map((r) => (r.utilisation === null ? null : r.utilisation * 100)), colour: colours.third, kind: 'line', scale: '%' },
      ],
      scales: [
        { key: 'count', format: (v) => formatNumber(v, { maximumFractionDigits: 0 }) },
        { key: '%', format: (v) => `${formatNumber(v, { maximumFractionDigits: 0 })}%` },
      ],
    };
  }, [report, zone]);
  const title = groupTitle(group);
  return (
    <ReportSection
      name="appointments"
      title="Bookings, no-shows and utilisation"
      report={report}
      query={query}
      empty={report.rows.length === 0 && 'No appointments or slots in this period.'}
    >
      <Chart
        spec={spec}
        zone={group === 'day' ? zone : null}
        description={`Chart of booked appointments, no-shows and utilisation per ${title.toLowerCase()}; the table below lists the same numbers.`}
      />
      <FiguresTable
        label="Appointment figures, scrollable"
        caption={`Appointments per ${title.toLowerCase()}`}
        columns={[
          { title },
          { title: 'Booked', numeric: true },
          { title: 'Completed', numeric: true },
          { title: 'Cancelled', numeric: true },
          { title: 'No-shows', numeric: true },
          { title: 'Slots offered', numeric: true },
          { title: 'No-show rate', numeric: true },
          { title: 'Utilisation', numeric: true },
        ]}
      >
        {report.rows.map((r) => (
          <tr key={r.key}>
            <GroupName row={r} group={group} />
            <td class="num">{formatNumber(r.booked)}</td>
            <td class="num">{formatNumber(r.completed)}</td>
            <td class="num">{formatNumber(r.cancelled)}</td>
            <td class="num">{formatNumber(r.no_show)}</td>
            <td class="num">{formatNumber(r.offered_slots)}</td>
            <td class="num">{percent(r.no_show_rate)}</td>
            <td class="num">{percent(r.utilisation)}</td>
          </tr>
        ))}
      </FiguresTable>
    </ReportSection>
  );
}

function RevenueChart({ rows, currency, group, zone }: { rows: RevenueFigures[]; currency: string; group: GroupBy; zone: string }) {
  const spec = useMemo<ChartSpec>(() => {
    const scale = 10 ** minorDigits(currency);
    const money = (v: number) => formatMoney(Math.round(v * scale), currency);
    return {
      ...groupAxis(rows, group, zone),
      series: [
        { label: 'Paid', values: rows.map((r) => r.paid_cents / scale), colour: colours.first, kind: 'bar-left', scale: currency },
        { label: 'Refunded', values: rows.map((r) => r.refunded_cents / scale), colour: colours.second, kind: 'bar-right', scale: currency },
        { label: 'Net', values: rows.map((r) => r.net_cents / scale), colour: colours.third, kind: 'line', scale: currency },
      ],
      scales: [{ key: currency, format: money }],
    };
  }, [rows, currency, group, zone]);
  return (
    <div>
      <h3>{currency}</h3>
      <Chart
        spec={spec}
        zone={group === 'day' ? zone : null}
        description={`Chart of ${currency} paid, refunded and net per ${group}; the table below lists the same numbers.`}
      />
    </div>
  );
}

function RevenueReport({ report, zone, query }: { report: Report<RevenueFigures>; zone: string; query: Query }) {
  const group = report.group_by;
  const currencies = [...new Set(report.rows.map((r) => r.currency))].sort();
  const title = groupTitle(group);
  return (
    <ReportSection
      name="revenue"
      title="Revenue"
      report={report}
      query={query}
      intro={
        <p class="meta">
          Each currency on its own: amounts in different currencies are never added together. A payment counts on the day it was paid,
          a refund on the day it was given.
        </p>
      }
      empty={report.rows.length === 0 && 'No payments or refunds in this period.'}
    >
      {currencies.map((c) => (
        <RevenueChart key={c} rows={report.rows.filter((r) => r.currency === c)} currency={c} group={group} zone={zone} />
      ))}
      <FiguresTable
        label="Revenue figures, scrollable"
        tableLabel="Revenue table"
        caption={`Revenue per ${title.toLowerCase()} and currency`}
        columns={[{ title }, { title: 'Currency' }, { title: 'Paid', numeric: true }, { title: 'Refunded', numeric: true }, { title: 'Net', numeric: true }]}
      >
        {report.rows.map((r) => (
          <tr key={`${r.key}/${r.currency}`}>
            <GroupName row={r} group={group} />
            <td>{r.currency}</td>
            <td class="num">{formatMoney(r.paid_cents, r.currency)}</td>
            <td class="num">{formatMoney(r.refunded_cents, r.currency)}</td>
            <td class="num">{formatMoney(r.net_cents, r.currency)}</td>
          </tr>
        ))}
      </FiguresTable>
    </ReportSection>
  );
}

export function ReportsScreen({ query }: ScreenProps) {
  const locations = useLocations();
  if (locations.loading && !locations.data) return <Loading />;
  return <Reports query={query} zones={[...new Set((locations.data ?? []).map((l) => l.timezone))]} defaultZone={fallbackZone(locations.data)} />;
}

function Reports({ query, zones, defaultZone }: { query: URLSearchParams; zones: string[]; defaultZone: string }) {
  const zoneParam = query.get('zone');
  const zone = zoneParam && zones.includes(zoneParam) ? zoneParam : defaultZone;
  const today = todayIn(zone);
  const from = query.get('from') ?? today.subtract({ days: 29 }).toString();
  const to = query.get('to') ?? today.toString();
  const groupParam = query.get('group_by');
  const group: GroupBy = isGroup(groupParam) ? groupParam : 'day';
  const [draft, setDraft] = useState({ from, to });
  useEffect(() => setDraft({ from, to }), [from, to]);

  const apiQuery: Query = { from, to, group_by: group };
  const queryKey = `${from}/${to}/${group}`;
  const reports = useAsync(
    async (signal) => {
      const [appointments, revenue] = await Promise.all([
        request<Report<AppointmentFigures>>('GET', '/reports/appointments', { query: apiQuery, signal }),
        request<Report<RevenueFigures>>('GET', '/reports/revenue', { query: apiQuery, signal }),
      ]);
      return { queryKey, appointments, revenue };
    },
    [queryKey],
  );
  // Between a change of period and the start of its load, the previous answer must not show as this one.
  const current = reports.data?.queryKey === queryKey ? reports.data : undefined;
  const set = (next: Record<string, string>) => navigate('/reports', { from, to, group_by: group, zone: zoneParam ?? undefined, ...next }, true);

  return (
    <div class="stack admin-page">
      <h1>Reports</h1>
      <form
        class="card toolbar admin-report-form"
        aria-label="Report period"
        onSubmit={(e) => {
          e.preventDefault();
          set({ from: draft.from, to: draft.to });
        }}
      >
        <Field label="From" name="from" type="date" value={draft.from} required onInput={(e) => setDraft({ ...draft, from: e.currentTarget.value })} error={reports.error} />
        <Field label="To" name="to" type="date" value={draft.to} required onInput={(e) => setDraft({ ...draft, to: e.currentTarget.value })} error={reports.error} />
        <Select label="Group by" name="group_by" value={group} onChange={(e) => set({ group_by: e.currentTarget.value })} options={groupOptions} />
        {group === 'day' && zones.length > 1 && (
          <Select
            label="Chart dates in"
            name="zone"
            value={zone}
            onChange={(e) => set({ zone: e.currentTarget.value })}
            options={zones.map((z) => ({ value: z, label: `${zoneCity(z)} time (${z})` }))}
          />
        )}
        <Button type="submit">Show</Button>
      </form>
      {group === 'day' && (
        <p class="meta">
          A day is each clinic’s own calendar day (its location’s time zone), so the same instant can count on different dates at
          different locations. Chart dates are drawn in {zoneCity(zone)} time ({zone}).
        </p>
      )}
      {(reports.loading || (!current && !reports.error)) && <Loading label="Loading the reports…" />}
      <ErrorNotice error={reports.error} />
      {current && !reports.loading && (
        <>
          <AppointmentsReport report={current.appointments} zone={zone} query={apiQuery} />
          <RevenueReport report={current.revenue} zone={zone} query={apiQuery} />
        </>
      )}
    </div>
  );
}
