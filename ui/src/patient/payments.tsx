// The patient's payments and refunds, with what they add up to per currency (currencies are never
// added together), counted as the server counts an appointment's balance: paid payments minus
// refunds.
import { fetchAll } from '../lib/api';
import { useAsync } from '../lib/hooks';
import { href } from '../lib/router';
import { formatDate, formatMoney } from '../lib/time';
import type { Payment } from '../lib/types';
import { Empty, ErrorNotice, Loading, PageHeader, StatusBadge } from '../components/ui';
import { appointmentDoctor, appointmentZone, loadDirectory, loadMyAppointments } from './common';

interface Totals {
  currency: string;
  paid: number;
  refunded: number;
}

function totalsOf(payments: Payment[]): Totals[] {
  const byCurrency = new Map<string, Totals>();
  for (const p of payments) {
    const totals = byCurrency.get(p.currency) ?? { currency: p.currency, paid: 0, refunded: 0 };
    if (p.refund_of_id !== null) totals.refunded += p.amount_cents;
    else if (p.paid_at !== null) totals.paid += p.amount_cents;
    byCurrency.set(p.currency, totals);
  }
  return [...byCurrency.values()].sort((a, b) => a.currency.localeCompare(b.currency));
}

const methodLabels: Record<Payment['method'], string> = {
  cash: 'Cash',
  card: 'Card',
  transfer: 'Bank transfer',
  other: 'Other',
};

export function PaymentsScreen() {
  const data = useAsync(async () => {
    const [payments, appointments, directory] = await Promise.all([
      fetchAll<Payment>('/payments'),
      loadMyAppointments(),
      loadDirectory(),
    ]);
    const newestFirst = [...payments].sort((a, b) => Date.parse(b.paid_at ?? b.created_at) - Date.parse(a.paid_at ?? a.created_at));
    return { payments: newestFirst, appointments: new Map(appointments.map((a) => [a.id, a])), directory };
  }, []);

  return (
    <div class="stack">
      <PageHeader title="My payments" />
      {data.loading && <Loading label="Loading your payments…" />}
      <ErrorNotice error={data.error} />
      {data.data && data.data.payments.length === 0 && <Empty>No payments recorded yet.</Empty>}
      {data.data && data.data.payments.length > 0 && (
        <>
          <section class="card" aria-labelledby="payment-totals">
            <h2 id="payment-totals">Balance</h2>
            <ul class="balance-list">
              {totalsOf(data.data.payments).map((t) => (
                <li key={t.currency}>
                  <span class="balance-list__amount">{formatMoney(t.paid - t.refunded, t.currency)}</span>
                  <span class="meta">
                    {t.refunded > 0
                      ? `${formatMoney(t.paid, t.currency)} paid, ${formatMoney(t.refunded, t.currency)} refunded`
                      : 'paid in total'}
                  </span>
                </li>
              ))}
            </ul>
          </section>
          <section aria-labelledby="payment-history">
            <h2 id="payment-history">History</h2>
            <div class="table-wrap">
              <table class="payments-table">
                <thead>
                  <tr>
                    <th scope="col">Date</th>
                    <th scope="col">Visit</th>
                    <th scope="col">Method</th>
                    <th scope="col">Status</th>
                    <th scope="col" class="num">
                      Amount
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {data.data.payments.map((p) => {
                    const appointment = data.data?.appointments.get(p.appointment_id);
                    const zone = appointment ? appointmentZone(appointment, data.data?.directory) : 'UTC';
                    const refund = p.refund_of_id !== null;
                    return (
                      <tr key={p.id}>
                        <td data-label="Date">{formatDate(p.paid_at ?? p.created_at, zone)}</td>
                        <td data-label="Visit">
                          <a href={href(`/appointments/${p.appointment_id}`)}>
                            {appointment
                              ? `${appointmentDoctor(appointment, data.data?.directory)}, ${formatDate(appointment.start_time_utc, zone)}`
                              : `Appointment ${p.appointment_id}`}
                          </a>
                        </td>
                        <td data-label="Method">{methodLabels[p.method]}</td>
                        <td data-label="Status">{refund ? 'Refund' : <StatusBadge status={p.status} />}</td>
                        <td data-label="Amount" class="num">{formatMoney(refund ? -p.amount_cents : p.amount_cents, p.currency)}</td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          </section>
        </>
      )}
    </div>
  );
}
