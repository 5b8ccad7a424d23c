// The doctor's workspace in a browser, at desktop and phone sizes (a fresh demo server for each):
// the schedule (day, week), an appointment taken from scheduled to completed with notes and a
// prescription corrected by replacement, and availability — working hours with a new Saturday,
// generated slots and a vacation blocked — checked against the public slot search.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertAccessible, demo, launchBrowser, openPage, screenshot, startServer, uiLogin, viewports } from '../harness.mjs';

const clinicZone = 'America/New_York'; // Alice Tan works at Clinic Midtown
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** "2026-12-02": the calendar date of `instant` in `zone`. */
function dateIn(instant, zone) {
  return new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(instant);
}

/** "2026-12-02" plus `days` days. */
function addDays(date, days) {
  const d = new Date(`${date}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** "Monday, December 14", as the patient's week view names a day. */
function dayLabel(date) {
  return new Intl.DateTimeFormat('en-US', { weekday: 'long', month: 'long', day: 'numeric', timeZone: 'UTC' }).format(new Date(`${date}T12:00:00Z`));
}

/** 1 = Monday … 7 = Sunday. */
function weekday(date) {
  return ((new Date(`${date}T12:00:00Z`).getUTCDay() + 6) % 7) + 1;
}

function withoutMillis(ms) {
  return new Date(Math.ceil(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** Every page of a public list. */
async function all(server, route, token) {
  const items = [];
  let cursor = null;
  do {
    const answer = await server.api('GET', `${route}&limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, undefined, token);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    items.push(...answer.body.items);
    cursor = answer.body.next_cursor;
  } while (cursor);
  return items;
}

/** Opens an item of the main navigation (behind "Menu" on a phone). */
async function openNav(page, size, name) {
  if (size === 'mobile') await page.getByRole('button', { name: 'Menu' }).click();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).click();
}

/**
 * A scheduled appointment with Alice Tan that has begun: a new patient books a slot created to
 * start a few seconds from now, and the test waits for it to start (only then can a visit be
 * marked completed). During working hours, a free slot in the way is deleted first, and a booked
 * visit that is under way already is simply used.
 */
async function startedAppointment(server, size) {
  // Everything slow (password hashing) happens before the start time is chosen, so that the
  // booking below is made before the slot starts even on a loaded machine.
  const doctorToken = await server.login(demo.doctor);
  const patient = {
    first_name: 'Vera',
    last_name: size === 'mobile' ? 'Mobilova' : 'Deskova',
    email: `vera.${size}@example.com`,
    password: 'vera-patient-pass',
  };
  const registered = await server.api('POST', '/auth/register', patient);
  assert.equal(registered.status, 201, JSON.stringify(registered.body));
  const patientToken = await server.login({ login: patient.email, password: patient.password });
  const startMs = Date.now() + 6000;
  let endMs = startMs + 15 * 60000;
  const around = await server.api('GET', `/doctors/1/slots?from=${withoutMillis(startMs - 3 * 3600000)}&to=${withoutMillis(endMs)}`, undefined, doctorToken);
  assert.equal(around.status, 200, JSON.stringify(around.body));
  for (const s of around.body.items) {
    const slotStart = Date.parse(s.start_time_utc);
    if (slotStart >= endMs || Date.parse(s.end_time_utc) <= startMs) continue;
    if (s.appointment_id !== null) {
      const held = await server.api('GET', `/appointments/${s.appointment_id}`, undefined, doctorToken);
      if (held.body.status === 'scheduled' && slotStart <= startMs) {
        await sleep(Math.max(0, slotStart - Date.now() + 1000));
        return { appointment: held.body, patientName: `${held.body.patient.first_name} ${held.body.patient.last_name}`, doctorToken };
      }
    } else if ((await server.api('DELETE', `/slots/${s.id}`, undefined, doctorToken)).status === 204) {
      continue;
    }
    assert.ok(slotStart > startMs, `slot ${s.id} is in the way and cannot be removed`);
    endMs = Math.min(endMs, slotStart);
  }

  const slotBody = { location_id: 1, start_time_utc: withoutMillis(startMs), end_time_utc: withoutMillis(endMs) };
  const slot = await server.api('POST', '/doctors/1/slots', slotBody, doctorToken);
  assert.equal(slot.status, 201, JSON.stringify(slot.body));
  const booked = await server.api('POST', '/appointments', { slot_id: slot.body.id, reason: 'Sore throat' }, patientToken);
  assert.equal(booked.status, 201, JSON.stringify(booked.body));
  await sleep(Math.max(0, Date.parse(slotBody.start_time_utc) - Date.now() + 1000));
  return { appointment: booked.body, patientName: `${patient.first_name} ${patient.last_name}`, doctorToken };
}

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

for (const [size, viewport] of Object.entries(viewports)) {
  describe(`the doctor at ${size} size`, () => {
    let server;
    before(async () => {
      server = await startServer();
    });
    after(async () => {
      await server?.stop();
    });

    test('completes a visit, writes a note, prescribes and corrects the prescription by replacing it', async () => {
      const { appointment, patientName, doctorToken } = await startedAppointment(server, size);
      const p = await openPage(browser, { viewport });
      const { page } = p;
      await uiLogin(page, server.url, demo.doctor);

      // The schedule opens on today, in Clinic Midtown's days.
      await page.getByRole('heading', { name: 'Schedule', level: 1 }).waitFor();
      // The patient's name, linking to this very appointment (a patient may have several).
      const link = page.getByRole('link', { name: patientName }).and(page.locator(`[href="#/schedule/${appointment.id}"]`));
      await link.waitFor();
      await assertAccessible(page, 'schedule (day)');
      await screenshot(page, `doctor-schedule-day-${size}`);
      await page.getByRole('link', { name: 'Week', exact: true }).click();
      await page.getByRole('heading', { name: /^Week of/ }).waitFor();
      await link.waitFor();
      await assertAccessible(page, 'schedule (week)');
      await screenshot(page, `doctor-schedule-week-${size}`);

      await link.click();
      await page.getByRole('heading', { name: `Appointment with ${patientName}` }).waitFor();
      await page.getByText(appointment.reason).first().waitFor();
      await page.getByRole('button', { name: /^Mark completed/ }).click();
      await page.locator('.page-header').getByText('Completed').waitFor();

      await page.getByLabel("Doctor's notes").fill('Throat red, no fever. Rest and fluids.');
      await page.getByRole('button', { name: 'Save notes' }).click();
      await page.getByText('Notes saved.').waitFor();

      await page.getByLabel('New prescription').fill('Ibuprofen 400 mg, three times a day for 5 days.');
      await page.getByRole('button', { name: 'Prescribe' }).click();
      const prescriptions = page.getByRole('list', { name: 'Prescriptions of this appointment' });
      const first = prescriptions.getByRole('listitem', { name: /active/ });
      await first.waitFor();
      const firstId = Number(/Prescription (\d+)/.exec(await first.getAttribute('aria-label'))[1]);

      await page.getByRole('button', { name: `Replace prescription #${firstId}` }).click();
      const corrected = page.getByLabel(`Corrected instructions (replacing #${firstId})`);
      await corrected.fill('Ibuprofen 200 mg, three times a day for 5 days.');
      await page.getByRole('button', { name: 'Issue replacement' }).click();
      const replaced = prescriptions.getByRole('listitem', { name: `Prescription ${firstId}, replaced` });
      await replaced.waitFor();
      assert.match(await replaced.innerText(), /Replaced/);
      const active = prescriptions.getByRole('listitem', { name: /active$/ });
      await active.waitFor();
      assert.match(await active.innerText(), /200 mg/);
      assert.match(await active.innerText(), new RegExp(`Replaces #${firstId}`));
      await assertAccessible(page, 'appointment detail');
      await screenshot(page, `doctor-appointment-${size}`);

      // What the UI showed is what the server stored.
      const stored = await server.api('GET', `/appointments/${appointment.id}`, undefined, doctorToken);
      assert.equal(stored.body.status, 'completed');
      assert.equal(stored.body.notes, 'Throat red, no fever. Rest and fluids.');
      const list = await server.api('GET', `/appointments/${appointment.id}/prescriptions`, undefined, doctorToken);
      assert.deepEqual(
        list.body.items.map((x) => [x.status, x.supersedes_id]),
        [
          ['superseded', null],
          ['active', firstId],
        ],
      );
      p.assertClean();
      await p.close();
    });

    test('adds Saturday hours, generates slots and blocks a vacation; patients see exactly that', async () => {
      const p = await openPage(browser, { viewport });
      const { page } = p;
      await uiLogin(page, server.url, demo.doctor);

      await openNav(page, size, 'Working hours');
      await page.getByRole('heading', { name: 'Working hours', level: 1 }).waitFor();
      const saturday = page.getByRole('group', { name: 'Saturday' });
      await saturday.getByText('Not working.').waitFor();
      await page.getByRole('button', { name: 'Add hours on Saturday' }).click();
      await page.getByLabel('From (Saturday, hours 1)').fill('10:00');
      await page.getByLabel('Until (Saturday, hours 1)').fill('12:00');
      await page.getByRole('button', { name: 'Save working hours' }).click();
      await page.getByText('Working hours saved.').waitFor();

      const today = dateIn(new Date(), clinicZone);
      await page.getByLabel('First day', { exact: true }).fill(today);
      await page.getByLabel('Last day', { exact: true }).fill(addDays(today, 20));
      await page.getByRole('button', { name: 'Generate slots' }).click();
      const created = page.getByText(/^Created \d+ slots?; skipped \d+\./);
      await created.waitFor();
      assert.ok(Number(/Created (\d+)/.exec(await created.innerText())[1]) > 0);
      await assertAccessible(page, 'working hours');
      await screenshot(page, `doctor-working-hours-${size}`);

      // A vacation: Monday to Wednesday of the week after next, where a patient already holds a
      // Tuesday appointment (the doctor cancels it from the list of what is still booked).
      const vacationStart = addDays(today, ((8 - weekday(today)) % 7 || 7) + 7);
      const vacationEnd = addDays(vacationStart, 2);
      const patientToken = await server.login(demo.patient);
      const from = new Date(`${today}T00:00:00Z`).toISOString().replace('.000Z', 'Z');
      const to = new Date(`${addDays(today, 22)}T00:00:00Z`).toISOString().replace('.000Z', 'Z');
      const localDay = (s) => s.local.start.slice(0, 10);
      const before = await all(server, `/slots?doctor_id=1&from=${from}&to=${to}`, patientToken);
      const tuesdaySlot = before.find((s) => localDay(s) === addDays(vacationStart, 1));
      const held = await server.api('POST', '/appointments', { slot_id: tuesdaySlot.id, reason: 'Check-up' }, patientToken);
      assert.equal(held.status, 201, JSON.stringify(held.body));
      await openNav(page, size, 'Slots and time off');
      await page.getByRole('heading', { name: 'Time off', exact: true }).waitFor();
      await page.getByLabel('First day', { exact: true }).fill(vacationStart);
      await page.getByLabel('Last day', { exact: true }).fill(vacationEnd);
      await page.getByRole('button', { name: 'Block time off' }).click();
      const blocked = page.getByText(/^Blocked \d+ slots?\./);
      await blocked.waitFor();
      assert.ok(Number(/Blocked (\d+)/.exec(await blocked.innerText())[1]) > 0);
      const stillBooked = page.getByRole('region', { name: 'Still booked — cancel or keep' });
      await stillBooked.getByRole('link', { name: 'John Smith' }).waitFor();
      await stillBooked.getByRole('button', { name: 'Cancel the appointment of John Smith' }).click();
      await stillBooked.getByText('Cancelled').waitFor();

      // The week of the vacation: its days blocked, Thursday still free; one slot blocked and opened again.
      await page.getByRole('button', { name: 'Next week' }).click();
      await page.getByRole('button', { name: 'Next week' }).click();
      const monday = page.getByRole('region', { name: /^Monday/ });
      await monday.getByText(/0 free · \d+ blocked/).waitFor();
      const thursday = page.getByRole('region', { name: /^Thursday/ });
      const blockOne = thursday.getByRole('button', { name: /^Block / }).first();
      const label = (await blockOne.getAttribute('aria-label')).replace(/^Block /, '');
      await blockOne.click();
      await thursday.getByRole('button', { name: `Unblock ${label}` }).click();
      await thursday.getByRole('button', { name: `Block ${label}` }).waitFor();
      await assertAccessible(page, 'slots and time off');
      await screenshot(page, `doctor-slots-${size}`);
      p.assertClean();
      await p.close();

      // A patient's search (the public API) shows the new Saturday hours and nothing free in the vacation.
      const cancelled = await server.api('GET', `/appointments/${held.body.id}`, undefined, patientToken);
      assert.equal(cancelled.body.status, 'cancelled');
      const slots = await all(server, `/slots?doctor_id=1&from=${from}&to=${to}`, patientToken);
      const saturdays = slots.filter((s) => weekday(localDay(s)) === 6);
      assert.ok(saturdays.length > 0, 'Saturday slots are offered');
      for (const s of saturdays) {
        const time = s.local.start.slice(11, 16);
        assert.ok(time >= '10:00' && time < '12:00', `Saturday slot at ${time}`);
      }
      const inVacation = slots.filter((s) => localDay(s) >= vacationStart && localDay(s) <= vacationEnd);
      assert.deepEqual(inVacation, [], 'no free slot inside the vacation');
      assert.ok(slots.some((s) => localDay(s) === addDays(vacationEnd, 1)), 'the day after the vacation is open');

      // The same in the patient's week view of the doctor.
      const patientPage = await openPage(browser, { viewport });
      await uiLogin(patientPage.page, server.url, demo.patient);
      const showWeek = async (date) => {
        await patientPage.page.evaluate((hash) => (window.location.hash = hash), `/doctors/1?week=${date}`);
        await patientPage.page.reload();
        await patientPage.page.getByRole('button', { name: 'Next week' }).waitFor();
      };
      // Days are found by their label (empty days may be hidden on a phone).
      const day = (date) => patientPage.page.getByLabel(dayLabel(date), { exact: true });
      const saturdayDate = addDays(today, (6 - weekday(today) + 7) % 7 || 7);
      await showWeek(saturdayDate);
      const firstSaturdayTime = day(saturdayDate).getByRole('button').first();
      await firstSaturdayTime.waitFor();
      assert.match(await firstSaturdayTime.innerText(), /10:00\sAM/);
      await showWeek(vacationStart);
      await day(addDays(vacationStart, 3)).getByRole('button').first().waitFor();
      for (let i = 0; i < 3; i++) {
        assert.equal(await day(addDays(vacationStart, i)).getByRole('button').count(), 0, `no free time on ${addDays(vacationStart, i)}`);
      }
      patientPage.assertClean();
      await patientPage.close();
    });
  });
}
