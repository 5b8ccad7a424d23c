// The patient portal, at desktop and phone sizes: a new patient registers and books a New York
// doctor from a Berlin browser on the far side of a daylight-saving change and sees the New York
// wall time; two patients book the same slot at the same moment and exactly one gets it; the main
// screens (find a doctor, week view, appointments, appointment, prescriptions, payments) pass axe.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertAccessible, demo, launchBrowser, openPage, screenshot, startServer, uiLogin, viewports } from '../harness.mjs';

const newYork = 'America/New_York';
const dayMs = 24 * 3600 * 1000;

let server;
let browser;
let adminToken;
let midtown;

/** The zone's UTC offset in minutes at `date` (e.g. -300 for EST). */
function offsetMinutes(date, zone) {
  const name = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' })
    .formatToParts(date)
    .find((p) => p.type === 'timeZoneName').value;
  const m = /GMT([+-])(\d\d):(\d\d)/.exec(name);
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
}

/**
 * The UTC instant of `hour`:00 New York time on the third day after New York's next DST change,
 * so the booked slot's offset differs from today's whatever day the test runs.
 */
function slotAcrossDst(hour) {
  const today = offsetMinutes(new Date(), newYork);
  let day = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate(), 12));
  while (offsetMinutes(day, newYork) === today) day = new Date(day.getTime() + dayMs);
  const target = new Date(day.getTime() + 2 * dayMs);
  const offset = offsetMinutes(target, newYork);
  const start = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth(), target.getUTCDate(), hour) - offset * 60000);
  return { start, end: new Date(start.getTime() + 30 * 60000), offset };
}

/** A weekday 10 days from now at `hour`:00 New York time (well inside the booking horizon). */
function slotSoon(hour, extraDays = 0) {
  let day = new Date(Date.now() + (10 + extraDays) * dayMs);
  while ([0, 6].includes(day.getUTCDay())) day = new Date(day.getTime() + dayMs);
  const noon = new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), 12));
  const offset = offsetMinutes(noon, newYork);
  const start = new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), hour) - offset * 60000);
  return { start, end: new Date(start.getTime() + 30 * 60000) };
}

/** "2026-12-16": the New York calendar date of an instant. */
const newYorkDate = (instant) => new Intl.DateTimeFormat('en-CA', { timeZone: newYork }).format(new Date(instant));

const apiInstant = (date) => date.toISOString().replace('.000Z', 'Z');

async function createDoctor(first, last, specialization) {
  const answer = await server.api(
    'POST',
    '/doctors',
    {
      first_name: first,
      last_name: last,
      email: `${first}.${last}@clinic.example`.toLowerCase(),
      password: 'test-doctor-pass',
      specialization,
      location_id: midtown.id,
    },
    adminToken,
  );
  assert.equal(answer.status, 201, JSON.stringify(answer.body));
  return answer.body;
}

async function createSlot(doctor, { start, end }) {
  const answer = await server.api(
    'POST',
    `/doctors/${doctor.id}/slots`,
    { location_id: midtown.id, start_time_utc: apiInstant(start), end_time_utc: apiInstant(end) },
    adminToken,
  );
  assert.equal(answer.status, 201, JSON.stringify(answer.body));
  return answer.body;
}

/** Follows a main navigation link (behind the Menu button on phones). */
async function goTo(page, size, label) {
  if (size === 'mobile') await page.getByRole('button', { name: 'Menu' }).click();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: label }).click();
}

/** Gives John Smith a prescription that replaces one of his, so "Replaced" has something to show. */
async function supersedeAPrescription() {
  const johnToken = await server.login(demo.patient);
  const me = await server.api('GET', '/auth/me', undefined, johnToken);
  const list = await server.api('GET', `/patients/${me.body.user.id}/prescriptions`, undefined, johnToken);
  const old = list.body.items.find((p) => p.status === 'active');
  assert.ok(old, 'the demo patient has a prescription');
  const doctor = await server.api('GET', `/doctors/${old.doctor_id}`, undefined, adminToken);
  const doctorToken = await server.login({ login: doctor.body.email, password: demo.doctor.password });
  const replacement = await server.api(
    'POST',
    `/appointments/${old.appointment_id}/prescriptions`,
    { instructions: 'Ibuprofen 200 mg by mouth every 8 hours with food for 3 days as needed for pain.', supersedes_id: old.id },
    doctorToken,
  );
  assert.equal(replacement.status, 201, JSON.stringify(replacement.body));
  return { old, replacement: replacement.body };
}

let superseded;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  adminToken = await server.login(demo.admin);
  const locations = await server.api('GET', '/locations');
  midtown = locations.body.items.find((l) => l.timezone === newYork);
  assert.ok(midtown, 'the demo data has a New York clinic');
  superseded = await supersedeAPrescription();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

for (const [size, viewport] of Object.entries(viewports)) {
  describe(`at ${size} size`, () => {
    test('a new patient in Berlin books a New York doctor across a DST change and sees New York time', async () => {
      const lastName = size === 'desktop' ? 'Lindqvist' : 'Okonkwo';
      const doctor = await createDoctor('Nora', lastName, 'Travel Medicine');
      const when = slotAcrossDst(10);
      await createSlot(doctor, when);
      const nyWallTime = new Intl.DateTimeFormat('en-US', {
        timeZone: newYork,
        weekday: 'short',
        year: 'numeric',
        month: 'short',
        day: 'numeric',
        hour: 'numeric',
        minute: '2-digit',
      }).format(when.start);
      assert.match(nyWallTime, /10:00 AM$/);
      const berlinTime = new Intl.DateTimeFormat('en-US', { timeZone: 'Europe/Berlin', hour: 'numeric', minute: '2-digit' }).format(when.start);
      const nyZoneName = when.offset === -240 ? 'EDT' : 'EST';

      const p = await openPage(browser, { viewport, timezoneId: 'Europe/Berlin' });
      const { page } = p;
      await page.goto(`${server.url}/`);
      await page.getByRole('link', { name: 'Create an account' }).click();
      await page.getByLabel('First name').fill('Greta');
      await page.getByLabel('Last name').fill(`Berlin${size}`);
      await page.getByLabel('Email').fill(`greta.${size}@example.com`);
      await page.getByLabel('Password').fill('greta-secret-pass');
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.getByRole('heading', { name: 'My appointments' }).waitFor();
      await page.getByText('You have no upcoming appointments.').waitFor();

      await goTo(page, size, 'Find a doctor');
      await page.getByRole('heading', { name: 'Find a doctor' }).waitFor();
      await page.getByLabel('Clinic').selectOption({ label: `${midtown.name} (${midtown.city})` });
      await page.getByLabel('Specialization').selectOption('Travel Medicine');
      await page.getByLabel('Name').fill(lastName);
      await page.getByRole('button', { name: 'Search' }).click();
      await page.getByRole('heading', { name: '1 doctor' }).waitFor();
      await assertAccessible(page, 'find a doctor');
      await screenshot(page, `patient-find-doctor-${size}`);
      await page.getByRole('link', { name: `See free times of Dr. Nora ${lastName}` }).click();

      await page.getByRole('heading', { name: `Dr. Nora ${lastName}` }).waitFor();
      const weekLabel = page.locator('.week-nav__label');
      const firstWeek = await weekLabel.innerText();
      await page.getByRole('button', { name: 'Next week', exact: true }).click();
      await page.getByText('No free times this week.').waitFor();
      assert.notEqual(await weekLabel.innerText(), firstWeek);
      await page.getByRole('button', { name: 'Previous week', exact: true }).click();
      await page.getByText('No free times this week.').waitFor();
      assert.equal(await weekLabel.innerText(), firstWeek);
      await page.getByRole('button', { name: 'Show the next week with free times' }).click();

      const slotButton = page.getByRole('button', { name: new RegExp(`10:00 AM\\s*,\\s*${berlinTime} your time`) });
      await slotButton.waitFor();
      await page.getByText(`Times in New York time (${nyZoneName}) at ${midtown.name}. Your own time (Berlin) is shown under each time.`).waitFor();
      await assertAccessible(page, 'week view');
      await screenshot(page, `patient-week-view-${size}`);

      await slotButton.click();
      const dialog = page.getByRole('dialog', { name: 'Book this time' });
      await dialog.getByText(nyWallTime).waitFor();
      await dialog.getByLabel('Reason for the visit').fill('Vaccinations before a trip');
      await dialog.getByRole('button', { name: 'Book appointment' }).click();
      await page.getByText('Your appointment is booked.').waitFor();
      await page.getByRole('heading', { name: 'Details' }).waitFor();
      await assertAccessible(page, 'appointment detail');
      await screenshot(page, `patient-appointment-detail-${size}`);

      await page.getByRole('link', { name: '← My appointments' }).click();
      const item = page.getByRole('listitem').filter({ hasText: `Dr. Nora ${lastName}` });
      await item.waitFor();
      assert.equal(await item.locator('time').innerText(), nyWallTime);
      assert.match(await item.innerText(), new RegExp(`New York time \\(${nyZoneName}\\)`));
      assert.match(await item.innerText(), new RegExp(`Your time: .*${berlinTime} \\(Berlin\\)`));
      await assertAccessible(page, 'appointment list');
      await screenshot(page, `patient-appointments-${size}`);

      const booked = await server.api('GET', `/appointments?doctor_id=${doctor.id}`, undefined, adminToken);
      assert.equal(booked.body.items.length, 1);
      assert.equal(booked.body.items[0].start_time_utc, apiInstant(when.start));
      assert.equal(booked.body.items[0].reason, 'Vaccinations before a trip');
      p.assertClean();
      await p.close();
    });

    test('two patients book the same slot at the same moment: one gets it, the other is told', async () => {
      const doctor = await createDoctor('Ravi', size === 'desktop' ? 'Contention' : 'Racewell', 'Sports Medicine');
      const contested = await createSlot(doctor, slotSoon(11, size === 'desktop' ? 0 : 1));
      await createSlot(doctor, slotSoon(14, size === 'desktop' ? 0 : 1));
      const allow = [{ status: 409, path: '/api/v1/appointments' }];
      const patients = [];
      for (const first of ['Ana', 'Ben']) {
        const email = `${first}.${size}.race@example.com`.toLowerCase();
        const body = { first_name: first, last_name: 'Racer', email, password: 'racer-secret-pass' };
        const registered = await server.api('POST', '/auth/register', body);
        assert.equal(registered.status, 201, JSON.stringify(registered.body));
        patients.push({ login: email, password: body.password });
      }
      const pages = await Promise.all(patients.map(() => openPage(browser, { viewport, timezoneId: newYork, allow })));
      for (const [i, p] of pages.entries()) {
        await uiLogin(p.page, server.url, patients[i]);
        await p.page.goto(`${server.url}/#/doctors/${doctor.id}?week=${newYorkDate(contested.start_time_utc)}`);
        await p.page.getByRole('button', { name: /11:00 AM$/ }).click();
        await p.page.getByRole('dialog', { name: 'Book this time' }).getByLabel('Reason for the visit').fill('Knee pain');
      }
      await Promise.all(pages.map((p) => p.page.getByRole('dialog').getByRole('button', { name: 'Book appointment' }).click()));

      const outcomes = await Promise.all(
        pages.map((p) =>
          Promise.race([
            p.page.getByText('Your appointment is booked.').waitFor().then(() => 'booked'),
            p.page.getByRole('alert').filter({ hasText: 'just taken' }).waitFor().then(() => 'taken'),
          ]),
        ),
      );
      assert.deepEqual([...outcomes].sort(), ['booked', 'taken']);

      const loser = pages[outcomes.indexOf('taken')].page;
      assert.match(await loser.getByRole('alert').innerText(), /that time was just taken by someone else/i);
      await loser.getByRole('button', { name: /2:00 PM$/ }).waitFor();
      // The taken slot leaves the refreshed week (the wait fails the test if it stays).
      await loser.getByRole('button', { name: /11:00 AM$/ }).waitFor({ state: 'detached' });
      assert.equal(await loser.getByRole('dialog', { name: 'Book this time' }).isVisible(), false);

      const booked = await server.api('GET', `/appointments?doctor_id=${doctor.id}`, undefined, adminToken);
      assert.equal(booked.body.items.filter((a) => a.status === 'scheduled').length, 1);
      assert.equal(booked.body.items[0].slot_id, contested.id);
      for (const p of pages) {
        p.assertClean();
        await p.close();
      }
    });

    test('a patient moves an appointment to another free time, then cancels it with a reason', async () => {
      const doctor = await createDoctor('Theo', size === 'desktop' ? 'Movewell' : 'Shifter', 'Orthopedics');
      const first = await createSlot(doctor, slotSoon(9, 2));
      await createSlot(doctor, slotSoon(15, 2));
      const patient = { login: `paul.${size}.mover@example.com`, password: 'mover-secret-pass' };
      const registered = await server.api('POST', '/auth/register', {
        first_name: 'Paul',
        last_name: 'Mover',
        email: patient.login,
        password: patient.password,
      });
      assert.equal(registered.status, 201, JSON.stringify(registered.body));
      const token = await server.login(patient);
      const booked = await server.api('POST', '/appointments', { slot_id: first.id, reason: 'Shoulder' }, token);
      assert.equal(booked.status, 201, JSON.stringify(booked.body));

      const p = await openPage(browser, { viewport, timezoneId: newYork });
      const { page } = p;
      await uiLogin(page, server.url, patient);
      await page.getByRole('link', { name: /Dr\. Theo/ }).click();
      await page.getByRole('button', { name: 'Reschedule' }).click();
      await page.getByRole('heading', { name: 'Pick a new time' }).waitFor();
      await page.getByRole('button', { name: /3:00 PM$/ }).click();
      const move = page.getByRole('dialog', { name: 'Move to this time?' });
      await move.getByRole('button', { name: 'Move appointment' }).click();
      await page.getByText('Your appointment is moved to the new time.').waitFor();
      await page.getByRole('definition').filter({ hasText: '3:00 PM' }).first().waitFor();
      const moved = await server.api('GET', `/appointments/${booked.body.id}`, undefined, token);
      assert.notEqual(moved.body.slot_id, first.id);
      assert.equal(moved.body.status, 'scheduled');

      await page.getByRole('button', { name: 'Cancel appointment' }).click();
      const cancel = page.getByRole('dialog', { name: 'Cancel this appointment?' });
      await cancel.getByLabel('Reason for cancelling').fill('Feeling better');
      await cancel.getByRole('button', { name: 'Yes, cancel it' }).click();
      await page.getByText('Your appointment is cancelled.').waitFor();
      await page.getByText('Feeling better', { exact: true }).waitFor();
      // The doctor is told why in the thread: the cancellation's system message carries the reason.
      await page.getByText(/cancelled: Feeling better/).waitFor();
      await page.getByRole('button', { name: 'Reschedule' }).waitFor({ state: 'detached' });
      const cancelled = await server.api('GET', `/appointments/${booked.body.id}`, undefined, token);
      assert.equal(cancelled.body.status, 'cancelled');
      assert.equal(cancelled.body.cancellation_reason, 'Feeling better');
      p.assertClean();
      await p.close();
    });

    test('prescriptions mark the replaced one and payments add up per currency', async () => {
      const p = await openPage(browser, { viewport, timezoneId: newYork });
      const { page } = p;
      await uiLogin(page, server.url, demo.patient);
      await page.getByRole('heading', { name: 'My appointments' }).waitFor();
      await page.getByRole('link', { name: 'Past' }).click();
      await page.getByRole('listitem').filter({ hasText: 'Completed' }).first().waitFor();
      await assertAccessible(page, 'past appointments');
      await screenshot(page, `patient-past-appointments-${size}`);

      await goTo(page, size, 'Prescriptions');
      await page.getByRole('heading', { name: 'My prescriptions' }).waitFor();
      const replaced = page.getByRole('listitem', { name: `Prescription ${superseded.old.id}` });
      await replaced.getByText('Replaced', { exact: true }).waitFor();
      await replaced.getByRole('link', { name: `prescription ${superseded.replacement.id}` }).click();
      await page.waitForURL(new RegExp(`show=${superseded.replacement.id}`));
      const replacement = page.getByRole('listitem', { name: `Prescription ${superseded.replacement.id}` });
      await replacement.getByText('Active', { exact: true }).waitFor();
      await assertAccessible(page, 'prescriptions');
      await screenshot(page, `patient-prescriptions-${size}`);

      await goTo(page, size, 'Payments');
      await page.getByRole('heading', { name: 'My payments' }).waitFor();
      const balance = page.getByRole('region', { name: 'Balance' });
      await balance.getByText(/\$\d/).first().waitFor();
      await page.getByRole('table').waitFor();
      await assertAccessible(page, 'payments');
      await screenshot(page, `patient-payments-${size}`);
      p.assertClean();
      await p.close();
    });
  });
}
