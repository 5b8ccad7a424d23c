// The front desk (admin) journeys: a phone booking for a patient, a payment and a partial refund
// for it, both seen in the revenue report's table and in its downloaded CSV; creating, editing,
// soft-deleting and restoring a doctor; the payments list and the audit trail. At desktop and
// phone sizes, with axe and screenshots of every main screen.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { assertAccessible, demo, launchBrowser, openPage, screenshot, startServer, uiLogin, viewports } from '../harness.mjs';

let server;
let browser;
let token;
const phonePatient = { first_name: 'Paula', last_name: 'Phonebooker', email: 'paula.phonebooker@example.com', phone: '+12125550999' };

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  token = await server.login(demo.admin);
  // A patient who calls in: no login and no appointments yet, so any free time can be booked.
  const created = await server.api('POST', '/patients', phonePatient, token);
  assert.equal(created.status, 201, JSON.stringify(created.body));
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

/** The local calendar date ("2026-12-02") of an instant in a zone. */
function localDate(instant, zone) {
  return new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(instant));
}

const usd = (cents) => new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(cents / 100);

async function open(page, path) {
  await page.goto(`${server.url}/#${path}`);
}

for (const [size, viewport] of Object.entries(viewports)) {
  describe(`at ${size} size`, () => {
    test('the front desk books for a phone patient, takes a payment, refunds part and finds both in the revenue report', async () => {
      const p = await openPage(browser, { viewport });
      const { page } = p;
      await uiLogin(page, server.url, demo.admin);
      await page.getByRole('heading', { name: 'Front desk' }).waitFor();

      // Find the caller by name.
      await page.getByLabel('Find the patient').fill('Phonebooker');
      await page.getByRole('button', { name: 'Search', exact: true }).click();
      await page.getByRole('button', { name: 'Choose Paula Phonebooker' }).click();
      await page.getByRole('button', { name: 'Choose another patient' }).waitFor();

      // Choose the doctor and a free time next week.
      await page.getByLabel('Doctor', { exact: true }).selectOption({ label: 'Dr. Alice Tan — General Medicine, Clinic Midtown' });
      const picker = page.getByRole('region', { name: '3. Free times' });
      await picker.getByRole('button', { name: 'Next week' }).click();
      const freeTime = picker.getByRole('button', { name: /AM|PM/ }).first();
      await freeTime.waitFor();
      await assertAccessible(page, 'desk booking');
      await screenshot(page, `admin-desk-${size}`);
      await freeTime.click();

      const confirm = page.getByRole('dialog', { name: 'Book this time?' });
      await confirm.getByLabel('Reason for the visit').fill('Phone booking: sore throat');
      await confirm.getByRole('button', { name: 'Book appointment' }).click();
      await page.getByText(/Booked for Paula Phonebooker/).waitFor();
      await page.getByRole('link', { name: 'Open the appointment' }).click();

      // Record a payment of $123.45 and refund $23.45 of it.
      await page.getByRole('heading', { name: /Paula Phonebooker with Dr\. Alice Tan/ }).waitFor();
      const appointmentId = Number(/appointments\/(\d+)/.exec(page.url())[1]);
      const payments = page.getByRole('region', { name: 'Payments', exact: true });
      await payments.getByLabel('Amount', { exact: true }).fill('123.45');
      assert.equal(await payments.getByLabel('Currency').inputValue(), 'USD');
      await payments.getByLabel('Method').selectOption('card');
      await payments.getByRole('button', { name: 'Record payment' }).click();
      await payments.getByText('$123.45 recorded as paid.').waitFor();
      await payments.getByRole('button', { name: /^Refund \(payment \d+ of \$123\.45\)/ }).click();
      const refund = page.getByRole('dialog', { name: /Refund from payment/ });
      await refund.getByLabel('Refund amount (USD)').fill('23.45');
      await refund.getByRole('button', { name: 'Refund', exact: true }).click();
      await payments.getByText(/Refund of payment \d+/).waitFor();
      const balance = payments.getByRole('list', { name: 'Balance per currency' });
      await balance.getByText('$100.00', { exact: true }).waitFor();
      assert.match(await balance.innerText(), /paid \$123\.45, refunded \$23\.45/);
      await assertAccessible(page, 'appointment payments');
      await screenshot(page, `admin-payments-${size}`);

      // The day the money moved, in the clinic's zone, from the server's own record.
      const ledger = await server.api('GET', `/payments?appointment_id=${appointmentId}`, undefined, token);
      const paid = ledger.body.items.find((x) => x.refund_of_id === null);
      const given = ledger.body.items.find((x) => x.refund_of_id !== null);
      const day = localDate(paid.paid_at, 'America/New_York');
      assert.equal(localDate(given.created_at, 'America/New_York'), day);
      const expected = await server.api('GET', `/reports/revenue?from=${day}&to=${day}&group_by=day&currency=USD`, undefined, token);
      const row = expected.body.rows.find((r) => r.key === day && r.currency === 'USD');
      assert.ok(row.paid_cents >= 12345 && row.refunded_cents >= 2345, JSON.stringify(row));

      // The revenue report for that day shows the same numbers, as a chart and a table.
      await open(page, '/reports');
      await page.getByRole('heading', { name: 'Reports' }).waitFor();
      await page.getByLabel('From', { exact: true }).fill(day);
      await page.getByLabel('To', { exact: true }).fill(day);
      await page.getByRole('button', { name: 'Show', exact: true }).click();
      const table = page.getByRole('table', { name: 'Revenue table' });
      const tableRow = table.getByRole('row').filter({ has: page.locator(`time[datetime="${day}"]`) }).filter({ hasText: 'USD' });
      await tableRow.waitFor();
      const cells = await tableRow.getByRole('cell').allInnerTexts();
      assert.deepEqual(cells, ['USD', usd(row.paid_cents), usd(row.refunded_cents), usd(row.net_cents)]);
      assert.ok(await page.locator('.admin-chart canvas').first().isVisible());
      await assertAccessible(page, 'reports');
      await screenshot(page, `admin-reports-${size}`);

      // ... and so does the CSV the browser saves.
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download revenue CSV' }).click()]);
      assert.equal(download.suggestedFilename(), `revenue-${day}-${day}.csv`);
      const csv = readFileSync(await download.path(), 'utf8');
      assert.match(csv, /^key,label,currency,paid_cents,refunded_cents,net_cents\r\n/);
      assert.ok(csv.includes(`${day},${day},USD,${row.paid_cents},${row.refunded_cents},${row.net_cents}\r\n`), csv);

      p.assertClean();
      await p.close();
    });

    test('the front desk reschedules and then cancels an appointment for a patient', async () => {
      const patient = await server.api(
        'POST',
        '/patients',
        { first_name: 'Rita', last_name: `Rescheduler${size}`, email: `rita.rescheduler.${size}@example.com` },
        token,
      );
      const slots = await server.api('GET', '/slots?doctor_id=2&limit=1', undefined, token);
      const booked = await server.api('POST', '/appointments', { slot_id: slots.body.items[0].id, patient_id: patient.body.id, reason: 'Check-up' }, token);
      assert.equal(booked.status, 201, JSON.stringify(booked.body));

      const p = await openPage(browser, { viewport });
      const { page } = p;
      await uiLogin(page, server.url, demo.admin);
      await open(page, `/appointments/${booked.body.id}`);
      await page.getByRole('heading', { name: `Rita Rescheduler${size} with Dr. Marcus Reed` }).waitFor();

      await page.getByRole('button', { name: 'Reschedule' }).click();
      const picker = page.getByRole('region', { name: 'Move to another free time' });
      await picker.getByRole('button', { name: 'Next week' }).click();
      await picker.getByRole('button', { name: /AM|PM/ }).first().click();
      await page.getByRole('dialog', { name: 'Move the appointment?' }).getByRole('button', { name: 'Move appointment' }).click();
      await page.getByText(/^Moved to /).waitFor();

      await page.getByRole('button', { name: 'Cancel appointment' }).click();
      const dialog = page.getByRole('dialog', { name: 'Cancel the appointment?' });
      await dialog.getByLabel('Reason (optional)').fill('Patient called: feeling better');
      await dialog.getByRole('button', { name: 'Cancel appointment' }).click();
      await page.getByText('The appointment is cancelled and its time is free again.').waitFor();
      await page.getByText('Patient called: feeling better').waitFor();

      const after = await server.api('GET', `/appointments/${booked.body.id}`, undefined, token);
      assert.equal(after.body.status, 'cancelled');
      assert.notEqual(after.body.slot_id, booked.body.slot_id);
      p.assertClean();
      await p.close();
    });

    test('the front desk creates, edits, deletes and restores a doctor', async () => {
      const p = await openPage(browser, { viewport });
      const { page } = p;
      await uiLogin(page, server.url, demo.admin);
      await open(page, '/people/doctors');
      await page.getByRole('list', { name: 'Doctors' }).getByRole('link', { name: 'Dr. Alice Tan', exact: true }).waitFor();
      await assertAccessible(page, 'people list');
      await screenshot(page, `admin-people-${size}`);

      await page.getByRole('link', { name: 'New doctor' }).click();
      const form = page.getByRole('form', { name: 'New doctor' });
      await form.getByLabel('First name').fill('Nadia');
      await form.getByLabel('Last name').fill(`Quill${size}`);
      await form.getByLabel('Email').fill(`nadia.quill.${size}@clinic.example`);
      await form.getByLabel('Password').fill('a-long-first-password');
      await form.getByLabel('Specialization').fill('Cardiology');
      await form.getByLabel('Location').selectOption({ label: 'Clinic Orchard' });
      await assertAccessible(page, 'create form');
      await screenshot(page, `admin-create-${size}`);
      await form.getByRole('button', { name: 'Create doctor' }).click();
      await page.getByText('The doctor is created.').waitFor();

      const edit = page.getByRole('form', { name: `Edit Dr. Nadia Quill${size}` });
      await edit.getByLabel('Specialization').fill('Sports Medicine');
      await edit.getByRole('button', { name: 'Save changes' }).click();
      await page.getByText('Your changes are saved.').waitFor();

      await page.getByRole('button', { name: 'Delete doctor' }).click();
      await page.getByRole('dialog', { name: /Delete Dr\. Nadia/ }).getByRole('button', { name: 'Delete', exact: true }).click();
      await page.getByText('The doctor is deleted.').waitFor();
      await page.getByText(/This doctor was deleted on/).waitFor();

      // The list marks the deleted doctor only when asked to show deleted ones.
      await open(page, `/people/doctors?q=Quill${size}`);
      await page.getByText(`No doctors match “Quill${size}”.`).waitFor();
      await page.getByLabel('Show deleted').check();
      const item = page.getByRole('listitem').filter({ hasText: `Dr. Nadia Quill${size}` });
      await item.getByText('Deleted', { exact: true }).waitFor();
      await item.getByRole('button', { name: /^Restore/ }).click();
      await page.getByText(`Dr. Nadia Quill${size} is restored.`).waitFor();
      await item.getByText('Deleted', { exact: true }).waitFor({ state: 'detached' });
      assert.match(await item.innerText(), /Sports Medicine/);

      const check = await server.api('GET', `/doctors?q=Quill${size}`, undefined, token);
      assert.equal(check.body.items.length, 1);
      assert.equal(check.body.items[0].specialization, 'Sports Medicine');
      p.assertClean();
      await p.close();
    });

    test('the payments list and the audit trail, with its chain check', async () => {
      const p = await openPage(browser, { viewport });
      const { page } = p;
      await uiLogin(page, server.url, demo.admin);
      await open(page, '/payments');
      await page.getByRole('heading', { name: 'Payments' }).waitFor();
      await page.getByRole('table', { name: 'Payments and refunds' }).waitFor();
      await page.getByLabel('Status').selectOption('paid');
      await page.getByRole('button', { name: /^Show more payments/ }).waitFor();
      await assertAccessible(page, 'payments list');
      await screenshot(page, `admin-payment-list-${size}`);

      await open(page, '/audit');
      await page.getByRole('heading', { name: 'Audit trail' }).waitFor();
      await page.getByText(/The trail verifies: all [\d,]+ rows, in 64 hash chains/).waitFor();
      // On a phone the filters start folded away.
      if (size === 'mobile') await page.getByText('Filters', { exact: true }).click();
      await page.getByLabel('Action').fill('auth.login.success');
      await page.getByRole('button', { name: 'Apply filters' }).click();
      const rows = page.getByRole('table', { name: /Audit rows/ }).getByRole('row');
      await rows.filter({ hasText: 'auth.login.success' }).first().waitFor();
      // The unfiltered page stays on screen until the filtered one arrives: wait for it to go.
      const others = rows.filter({ hasNotText: 'auth.login.success' });
      await others.nth(1).waitFor({ state: 'detached' });
      assert.equal(await others.count(), 1); // the header row
      await assertAccessible(page, 'audit');
      await screenshot(page, `admin-audit-${size}`);
      p.assertClean();
      await p.close();
    });
  });
}
