// Money at the front desk: an appointment's ledger (payments, refunds and the balance per
// currency) with the form that records a payment, the actions on one payment (mark paid or
// failed, refund part of it) and the list of every payment. Amounts are typed as decimals and
// travel as integer cents; currencies are never added together.
import { useState } from 'preact/hooks';
import { api, ApiError, newIdempotencyKey } from '../lib/api';
import { useAction, useAsync } from '../lib/hooks';
import { href, navigate } from '../lib/router';
import type { ScreenProps } from '../lib/routes';
import { personName } from '../lib/session';
import type { CurrencyBalance, Patient, Payment, PaymentMethod, PaymentStatus } from '../lib/types';
import { formatDateTime, formatMoney, parseMoney } from '../lib/time';
import { Badge, Button, Dialog, Empty, ErrorNotice, Field, Loading, Notice, PageHeader, Select, StatusBadge } from '../components/ui';
import { PagerFooter, TableWrap, usePagedList } from './common';

const methodLabels: Record<PaymentMethod, string> = { cash: 'Cash', card: 'Card', transfer: 'Bank transfer', other: 'Other' };

function amountError(field: string, message: string): ApiError {
  return new ApiError(400, 'Bad Request', 'Check the amount.', [{ field, message }]);
}

/** When a payment was paid (or a refund recorded), in the zone the screen names. */
function paymentTime(p: Payment, zone: string): string {
  const instant = p.status === 'refunded' && p.refund_of_id !== null ? p.created_at : p.paid_at;
  return instant ? formatDateTime(instant, zone) : '—';
}

/** "Payment 12" or "Refund of payment 12", with its method and reference. */
function PaymentName({ payment }: { payment: Payment }) {
  return (
    <div>
      {payment.refund_of_id !== null ? `Refund of payment ${payment.refund_of_id}` : `Payment ${payment.id}`}
      <div class="meta">
        {methodLabels[payment.method]}
        {payment.transaction_ref && ` · ${payment.transaction_ref}`}
      </div>
    </div>
  );
}

export function BalanceSummary({ balance }: { balance: CurrencyBalance[] }) {
  if (balance.length === 0) return <p class="meta">Nothing paid yet.</p>;
  return (
    <ul class="admin-balance" aria-label="Balance per currency">
      {balance.map((b) => (
        <li key={b.currency} class="admin-balance__item">
          <span class="admin-balance__net">{formatMoney(b.net_cents, b.currency)}</span>
          <span class="meta">
            {b.currency}: paid {formatMoney(b.paid_cents, b.currency)}, refunded {formatMoney(b.refunded_cents, b.currency)}
          </span>
        </li>
      ))}
    </ul>
  );
}

/** Mark paid / mark failed for a pending payment; refund for a paid one. */
export function PaymentActions({
  payment,
  refundable,
  onChanged,
}: {
  payment: Payment;
  /** What is left to give back, when the caller knows it. */
  refundable?: number;
  onChanged: (payment: Payment) => void;
}) {
  const [refunding, setRefunding] = useState(false);
  const change = useAction(async (action: 'pay' | 'fail') => {
    onChanged(await api.post<Payment>(`/payments/${payment.id}/${action}`));
  });
  const label = `payment ${payment.id} of ${formatMoney(payment.amount_cents, payment.currency)}`;
  if (payment.refund_of_id !== null) return null;
  return (
    <div class="row admin-payment-actions">
      {payment.status === 'pending' && (
        <>
          <Button class="button button--secondary button--small" busy={change.busy} onClick={() => void change.run('pay')}>
            Mark paid<span class="visually-hidden"> ({label})</span>
          </Button>
          <Button class="button button--secondary button--small" busy={change.busy} onClick={() => void change.run('fail')}>
            Mark failed<span class="visually-hidden"> ({label})</span>
          </Button>
        </>
      )}
      {payment.status === 'paid' && refundable !== 0 && (
        <Button class="button button--secondary button--small" onClick={() => setRefunding(true)}>
          Refund<span class="visually-hidden"> ({label})</span>
        </Button>
      )}
      <ErrorNotice error={change.error} />
      <RefundDialog
        payment={payment}
        refundable={refundable}
        open={refunding}
        onClose={() => setRefunding(false)}
        onRefunded={(refund) => {
          setRefunding(false);
          onChanged(refund);
        }}
      />
    </div>
  );
}

function RefundDialog({
  payment,
  refundable,
  open,
  onClose,
  onRefunded,
}: {
  payment: Payment;
  refundable: number | undefined;
  open: boolean;
  onClose: () => void;
  onRefunded: (refund: Payment) => void;
}) {
  const [amount, setAmount] = useState('');
  const [key, setKey] = useState(newIdempotencyKey);
  const refund = useAction(async () => {
    const cents = parseMoney(amount, payment.currency);
    if (cents === null) throw amountError('amount_cents', 'Type an amount above zero, such as 20.00.');
    if (refundable !== undefined && cents > refundable) {
      throw amountError('amount_cents', `At most ${formatMoney(refundable, payment.currency)} is left to refund.`);
    }
    const row = await api.post<Payment>(`/payments/${payment.id}/refund`, { amount_cents: cents }, key);
    setAmount('');
    setKey(newIdempotencyKey());
    onRefunded(row);
  });
  return (
    <Dialog
      title={`Refund from payment ${payment.id}`}
      open={open}
      onClose={() => {
        refund.setError(undefined);
        onClose();
      }}
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void refund.run();
        }}
      >
        <p>
          Paid {formatMoney(payment.amount_cents, payment.currency)} by {methodLabels[payment.method].toLowerCase()}
          {refundable !== undefined && <>; {formatMoney(refundable, payment.currency)} can still be refunded</>}.
        </p>
        <Field
          label={`Refund amount (${payment.currency})`}
          name="amount_cents"
          inputMode="decimal"
          autoComplete="off"
          value={amount}
          required
          onInput={(e) => setAmount(e.currentTarget.value)}
          error={refund.error}
          hint="Part or all of what is left, such as 20.00."
        />
        <ErrorNotice error={refund.error} />
        <div class="row">
          <Button type="submit" busy={refund.busy}>
            Refund
          </Button>
          <Button variant="secondary" onClick={onClose}>
            Keep the money
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

function RecordPayment({ appointmentId, currency: initialCurrency, onRecorded }: { appointmentId: number; currency: string; onRecorded: () => void }) {
  const [amount, setAmount] = useState('');
  const [currency, setCurrency] = useState(initialCurrency);
  const [method, setMethod] = useState<PaymentMethod>('card');
  const [status, setStatus] = useState<'paid' | 'pending'>('paid');
  const [reference, setReference] = useState('');
  const [key, setKey] = useState(newIdempotencyKey);
  const [saved, setSaved] = useState<string | null>(null);
  const record = useAction(async () => {
    setSaved(null);
    const code = currency.trim().toUpperCase();
    if (!/^[A-Z]{3}$/.test(code)) throw amountError('currency', 'Three letters, such as USD.');
    let cents: number | null;
    try {
      cents = parseMoney(amount, code);
    } catch {
      throw amountError('currency', `${code} is not a currency this browser knows.`);
    }
    if (cents === null) throw amountError('amount_cents', 'Type an amount above zero, such as 120.00.');
    const body: Record<string, unknown> = { amount_cents: cents, currency: code, method, status };
    if (reference.trim()) body.transaction_ref = reference.trim();
    const payment = await api.post<Payment>(`/appointments/${appointmentId}/payments`, body, key);
    setKey(newIdempotencyKey());
    setAmount('');
    setReference('');
    setSaved(`${formatMoney(payment.amount_cents, payment.currency)} recorded as ${payment.status}.`);
    onRecorded();
  });
  return (
    <form
      class="admin-subform"
      aria-label="Record a payment"
      onSubmit={(e) => {
        e.preventDefault();
        void record.run();
      }}
    >
      <h3>Record a payment</h3>
      <div class="field-row">
        <Field
          label="Amount"
          name="amount_cents"
          inputMode="decimal"
          autoComplete="off"
          value={amount}
          required
          placeholder="120.00"
          onInput={(e) => setAmount(e.currentTarget.value)}
          error={record.error}
        />
        <Field
          label="Currency"
          name="currency"
          value={currency}
          required
          maxLength={3}
          autoComplete="off"
          hint="ISO code, such as USD or SGD."
          onInput={(e) => setCurrency(e.currentTarget.value.toUpperCase())}
          error={record.error}
        />
      </div>
      <div class="field-row">
        <Select
          label="Method"
          name="method"
          value={method}
          onChange={(e) => setMethod(e.currentTarget.value as PaymentMethod)}
          error={record.error}
          options={(Object.keys(methodLabels) as PaymentMethod[]).map((m) => ({ value: m, label: methodLabels[m] }))}
        />
        <Select
          label="Status"
          name="status"
          value={status}
          onChange={(e) => setStatus(e.currentTarget.value === 'pending' ? 'pending' : 'paid')}
          error={record.error}
          options={[
            { value: 'paid', label: 'Paid now' },
            { value: 'pending', label: 'Pending (card terminal, transfer on its way)' },
          ]}
        />
      </div>
      <Field
        label="Transaction reference (optional)"
        name="transaction_ref"
        value={reference}
        maxLength={100}
        autoComplete="off"
        hint="The terminal's or bank's reference; recording it twice records one payment."
        onInput={(e) => setReference(e.currentTarget.value)}
        error={record.error}
      />
      <ErrorNotice error={record.error} />
      {saved && <Notice kind="success">{saved}</Notice>}
      <div>
        <Button type="submit" busy={record.busy}>
          Record payment
        </Button>
      </div>
    </form>
  );
}

interface LedgerAnswer {
  items: Payment[];
  balance: CurrencyBalance[];
}

/** What is left to refund of each payment in a ledger. */
function refundableById(items: Payment[]): Map<number, number> {
  const left = new Map<number, number>();
  for (const p of items) if (p.refund_of_id === null) left.set(p.id, p.amount_cents);
  for (const p of items) {
    if (p.refund_of_id !== null) left.set(p.refund_of_id, (left.get(p.refund_of_id) ?? 0) - p.amount_cents);
  }
  return left;
}

export function Ledger({ appointmentId, currency, zone, zoneName }: { appointmentId: number; currency: string; zone: string; zoneName: string }) {
  const ledger = useAsync((signal) => api.get<LedgerAnswer>(`/appointments/${appointmentId}/payments`, undefined, signal), [appointmentId]);
  const items = ledger.data?.items ?? [];
  const left = refundableById(items);
  const knownCurrency = ledger.data?.balance[0]?.currency ?? currency;
  return (
    <section class="card stack" aria-labelledby="ledger-title">
      <h2 id="ledger-title">Payments</h2>
      {ledger.loading && !ledger.data && <Loading label="Loading payments…" />}
      <ErrorNotice error={ledger.error} />
      {ledger.data && (
        <>
          <BalanceSummary balance={ledger.data.balance} />
          {items.length === 0 ? (
            <Empty>No payments recorded for this appointment.</Empty>
          ) : (
            <TableWrap label="Payments of this appointment, scrollable">
              <table class="admin-stack-table">
                <caption class="visually-hidden">Payments and refunds of this appointment</caption>
                <thead>
                  <tr>
                    <th scope="col">Payment</th>
                    <th scope="col" class="num">
                      Amount
                    </th>
                    <th scope="col">Status</th>
                    <th scope="col">When ({zoneName})</th>
                    <th scope="col">Actions</th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((p) => (
                    <tr key={p.id}>
                      <td data-label="Payment">
                        <PaymentName payment={p} />
                      </td>
                      <td data-label="Amount" class="num">{p.refund_of_id !== null ? `−${formatMoney(p.amount_cents, p.currency)}` : formatMoney(p.amount_cents, p.currency)}</td>
                      <td data-label="Status">
                        <StatusBadge status={p.status} />
                      </td>
                      <td data-label="When">{paymentTime(p, zone)}</td>
                      <td data-label="Actions">
                        <PaymentActions payment={p} refundable={left.get(p.id)} onChanged={ledger.reload} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
          )}
        </>
      )}
      <RecordPayment key={knownCurrency} appointmentId={appointmentId} currency={knownCurrency} onRecorded={ledger.reload} />
    </section>
  );
}

const statusOptions: { value: '' | PaymentStatus; label: string }[] = [
  { value: '', label: 'Any status' },
  { value: 'pending', label: 'Pending' },
  { value: 'paid', label: 'Paid' },
  { value: 'refunded', label: 'Refunded (refunds, and payments given back in full)' },
  { value: 'failed', label: 'Failed' },
];

export function PaymentsScreen({ query }: ScreenProps) {
  const status = query.get('status') ?? '';
  const appointmentId = query.get('appointment_id') ?? '';
  const patientId = query.get('patient_id') ?? '';
  const [appointmentText, setAppointmentText] = useState(appointmentId);
  const patient = useAsync(
    (signal) => (patientId ? api.get<Patient>(`/patients/${patientId}`, undefined, signal) : Promise.resolve(null)),
    [patientId],
  );
  const list = usePagedList<Payment>('/payments', { status, appointment_id: appointmentId, patient_id: patientId });
  const set = (next: Record<string, string>) =>
    navigate('/payments', { status, appointment_id: appointmentId, patient_id: patientId, ...next }, true);
  return (
    <div>
      <PageHeader title="Payments" />
      <form
        class="toolbar"
        aria-label="Filter payments"
        onSubmit={(e) => {
          e.preventDefault();
          set({ appointment_id: appointmentText.trim() });
        }}
      >
        <Select label="Status" name="status" value={status} onChange={(e) => set({ status: e.currentTarget.value })} options={statusOptions} />
        <Field
          label="Appointment number"
          name="appointment_id"
          inputMode="numeric"
          value={appointmentText}
          onInput={(e) => setAppointmentText(e.currentTarget.value)}
        />
        <Button type="submit" variant="secondary">
          Filter
        </Button>
        {patientId && (
          <p class="row">
            <Badge kind="filter">Patient: {patient.data ? personName(patient.data) : `#${patientId}`}</Badge>
            <Button variant="link" onClick={() => set({ patient_id: '' })}>
              Show every patient
            </Button>
          </p>
        )}
      </form>
      <p class="meta">Times are in UTC. Open an appointment to see its payments in the clinic’s time.</p>
      {!list.loading && !list.error && list.items.length === 0 && <Empty>No payments match.</Empty>}
      {list.items.length > 0 && (
        <TableWrap label="All payments, scrollable">
          <table class="admin-stack-table">
            <caption class="visually-hidden">Payments and refunds</caption>
            <thead>
              <tr>
                <th scope="col">Payment</th>
                <th scope="col">Appointment</th>
                <th scope="col" class="num">
                  Amount
                </th>
                <th scope="col">Status</th>
                <th scope="col">When (UTC)</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((p) => (
                <tr key={p.id}>
                  <td data-label="Payment">
                    <PaymentName payment={p} />
                  </td>
                  <td data-label="Appointment">
                    <a href={href(`/appointments/${p.appointment_id}`)}>Appointment {p.appointment_id}</a>
                  </td>
                  <td data-label="Amount" class="num">{p.refund_of_id !== null ? `−${formatMoney(p.amount_cents, p.currency)}` : formatMoney(p.amount_cents, p.currency)}</td>
                  <td data-label="Status">
                    <StatusBadge status={p.status} />
                  </td>
                  <td data-label="When (UTC)">{paymentTime(p, 'UTC')}</td>
                  <td data-label="Actions">
                    <PaymentActions
                      payment={p}
                      onChanged={(changed) => (changed.id === p.id ? list.replace(changed) : list.reload())}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      <PagerFooter list={list} noun="payments" />
    </div>
  );
}
