// Messaging, live, between two browsers: a patient writes (Markdown previewed by the server, a
// tag, a file uploaded with progress) in the thread of a freshly booked appointment with
// Dr. Alice Tan; the doctor, logged in elsewhere, sees it arrive without reloading and answers;
// the patient's unread badges and the thread update live, read receipts show both ways, an edit
// arrives live, and a message posted while the patient's live connection is down appears exactly
// once after it reconnects. Inbox, thread and preview pass axe at desktop and phone sizes. The
// same conversation is part of both people's appointment pages, a refused file is explained, and
// a send whose answer is lost is retried without posting twice.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertAccessible, demo, launchBrowser, openPage, screenshot, startServer, uiLogin, viewports } from '../harness.mjs';

let server;
let browser;
before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

/** Books the first free slot of Dr. Alice Tan for John Smith through the API; its id. */
async function bookWithAlice() {
  const token = await server.login(demo.patient);
  const doctors = await server.api('GET', '/doctors?limit=200', undefined, token);
  const alice = doctors.body.items.find((d) => d.first_name === 'Alice' && d.last_name === 'Tan');
  assert.ok(alice, 'the demo has Dr. Alice Tan');
  const slots = await server.api('GET', `/slots?doctor_id=${alice.id}&available=true&limit=1`);
  assert.equal(slots.status, 200);
  const slot = slots.body.items[0];
  assert.ok(slot, 'Dr. Alice Tan has a free slot');
  const booked = await server.api('POST', '/appointments', { slot_id: slot.id, reason: 'Chat journey' }, token);
  assert.equal(booked.status, 201, JSON.stringify(booked.body));
  return booked.body.id;
}

/**
 * Keeps every WebSocket the page opens reachable from the test (an init script runs through the
 * DevTools protocol, not as an inline script, so the UI's CSP is untouched), to cut the live
 * connection the way a dropped network would.
 */
async function trackSockets(page) {
  await page.addInitScript(() => {
    const Native = window.WebSocket;
    window.__sockets = [];
    window.WebSocket = class extends Native {
      constructor(...args) {
        super(...args);
        window.__sockets.push(this);
      }
    };
  });
}

/**
 * The page's problems must all be of `expected` kind: what the browser itself logs about
 * connections the test cuts on purpose.
 */
function assertCleanExcept(p, expected) {
  const problems = p.problems().filter((problem) => !expected.test(problem));
  assert.deepEqual(problems, [], `browser problems:\n${problems.join('\n')}`);
}

/** Failed reconnects of the live connection while the test holds the browser offline. */
const offlineReconnects = /WebSocket connection to .*\/api\/v1\/live.* failed: .*ERR_INTERNET_DISCONNECTED/;

function threadLink(page, appointmentId) {
  return page.locator(`a.chat-inbox-item[href="#/messages?appointment=${appointmentId}"]`);
}

async function send(page, text) {
  await page.getByLabel('Message', { exact: true }).fill(text);
  await page.getByRole('button', { name: 'Send' }).click();
  await page.getByRole('log').getByText(text).waitFor();
}

for (const [size, viewport] of Object.entries(viewports)) {
  describe(`at ${size} size`, () => {
    test('patient and doctor talk live, with an attachment, badges, receipts and a reconnect', async () => {
      const appointmentId = await bookWithAlice();
      const patient = await openPage(browser, { viewport, timezoneId: 'Europe/Berlin' });
      const doctor = await openPage(browser, { viewport, timezoneId: 'America/New_York' });
      await trackSockets(patient.page);
      const pp = patient.page;
      const dp = doctor.page;

      // The patient's inbox lists the new appointment's conversation (its booking notice unread).
      await uiLogin(pp, server.url, demo.patient);
      await pp.goto(`${server.url}/#/messages`);
      await pp.getByRole('heading', { level: 1, name: 'Messages' }).waitFor();
      await threadLink(pp, appointmentId).getByText('1 unread').waitFor();
      await assertAccessible(pp, 'inbox');
      await screenshot(pp, `chat-inbox-${size}`);

      // The doctor has the same conversation open on another computer.
      await uiLogin(dp, server.url, demo.doctor);
      await dp.goto(`${server.url}/#/messages?appointment=${appointmentId}`);
      await dp.getByRole('heading', { name: /^Messages with / }).waitFor();
      await dp.getByRole('log').getByText(/Appointment booked/).waitFor();

      // The patient opens it, writes Markdown, previews the server's rendering, tags and attaches.
      await threadLink(pp, appointmentId).click();
      await pp.getByRole('heading', { name: /^Messages with / }).waitFor();
      await pp.getByRole('log').getByText(/Appointment booked/).waitFor();
      // The browser is in Berlin; the clinic's times are New York's, and say so.
      await pp.getByText(/Times are New York time/).waitFor();
      await pp.getByLabel('Message', { exact: true }).fill('Here is my **lab result** from Monday.');
      await pp.getByLabel('Tags (optional)').fill('lab, Results');
      await pp.getByLabel(/^Attach files/).setInputFiles({
        name: 'lab-result.txt',
        mimeType: 'text/plain',
        buffer: Buffer.from('Haemoglobin 14.1 g/dL\nWhite cells 6.2\n'),
      });
      await pp.getByRole('progressbar', { name: /lab-result\.txt: uploaded/ }).waitFor();
      await pp.getByRole('button', { name: 'Preview' }).click();
      const preview = pp.getByRole('region', { name: 'Preview' });
      await preview.locator('strong', { hasText: 'lab result' }).waitFor();
      await assertAccessible(pp, 'composer preview');
      await screenshot(pp, `chat-composer-preview-${size}`);
      await pp.getByRole('button', { name: 'Write' }).click();
      await pp.getByRole('button', { name: 'Send' }).click();
      const patientLog = pp.getByRole('log');
      await patientLog.locator('strong', { hasText: 'lab result' }).waitFor();
      // The live connection may show the message a moment before the post's own answer arrives.
      await pp.getByRole('button', { name: 'Send', exact: true }).waitFor();
      assert.equal(await pp.getByLabel('Message', { exact: true }).inputValue(), '', 'the composer is emptied');

      // The doctor sees it arrive live, with its file and tags; reading it shows "Read" to the patient.
      const doctorLog = dp.getByRole('log');
      await doctorLog.locator('strong', { hasText: 'lab result' }).waitFor();
      await doctorLog.getByRole('link', { name: 'lab-result.txt' }).waitFor();
      await doctorLog.getByRole('list', { name: 'Tags' }).getByText('results').waitFor();
      await patientLog.getByText('Read', { exact: true }).waitFor();

      // Back in the list, the patient has nothing unread until the doctor answers.
      if (size === 'mobile') await pp.getByRole('link', { name: /All conversations/ }).click();
      else await pp.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /^Messages/ }).click();
      await pp.getByRole('heading', { level: 1, name: 'Messages' }).waitFor();
      await threadLink(pp, appointmentId).waitFor();
      await threadLink(pp, appointmentId).getByText(/unread/).waitFor({ state: 'detached' });

      await send(dp, 'Thanks, the results look normal.');
      await threadLink(pp, appointmentId).getByText('1 unread').waitFor();
      if (size === 'mobile') await pp.getByRole('button', { name: 'Menu' }).click();
      await pp.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /^Messages.*1/ }).waitFor();
      if (size === 'mobile') await pp.getByRole('button', { name: 'Menu' }).click();
      await screenshot(pp, `chat-inbox-unread-${size}`);

      // Opening the thread shows the answer and reads it: the badge goes, the doctor sees "Read".
      await threadLink(pp, appointmentId).click();
      await patientLog.getByText('Thanks, the results look normal.').waitFor();
      await threadLink(pp, appointmentId).getByText(/unread/).waitFor({ state: 'detached' });
      await doctorLog.getByText('Read', { exact: true }).waitFor();

      // While the patient watches, a new answer appears live.
      await send(dp, 'Please keep taking the iron tablets.');
      await patientLog.getByText('Please keep taking the iron tablets.').waitFor();

      // The doctor corrects that last message; the patient sees the new text, marked edited.
      await dp.getByRole('button', { name: 'Edit your last message' }).click();
      await dp.getByRole('form', { name: 'Edit message' }).getByLabel('New text').fill('Please keep taking the iron tablets twice a day.');
      await dp.getByRole('button', { name: 'Save' }).click();
      await doctorLog.getByText('Please keep taking the iron tablets twice a day.').waitFor();
      await patientLog.getByText('Please keep taking the iron tablets twice a day.').waitFor();
      await patientLog.getByText('edited').waitFor();
      await assertAccessible(pp, 'thread');
      await screenshot(pp, `chat-thread-${size}`);
      await assertAccessible(dp, 'doctor thread');
      await screenshot(dp, `chat-thread-doctor-${size}`);

      // The patient's connection drops while the doctor posts; after it comes back, the message
      // is there exactly once (reloaded, and never also added by a late live event).
      await patient.context.setOffline(true);
      await pp.evaluate(() => window.__sockets.forEach((socket) => socket.close()));
      await pp.getByText(/Live updates paused/).waitFor();
      const missed = 'Posted while your connection was down.';
      await send(dp, missed);
      const patientSocketsOpen = await pp.evaluate(() => window.__sockets.filter((s) => s.readyState === WebSocket.OPEN).length);
      assert.equal(patientSocketsOpen, 0, 'the patient was offline when the message was posted');
      await patient.context.setOffline(false);
      await pp.getByText(/Live updates paused/).waitFor({ state: 'detached' });
      await patientLog.getByText(missed).waitFor();
      // The patient's client marks it read once it is shown; when the doctor sees that receipt,
      // every event about it has reached the patient too.
      await doctorLog.locator('.chat-message--own').last().getByText('Read', { exact: true }).waitFor();
      assert.equal(await patientLog.getByText(missed).count(), 1, 'the missed message is shown once');
      assert.equal(await patientLog.locator('strong', { hasText: 'lab result' }).count(), 1, 'nothing is duplicated');

      assertCleanExcept(patient, offlineReconnects);
      doctor.assertClean();
      await patient.close();
      await doctor.close();
    });

    test("the conversation is part of the appointment pages; a lost answer's retry posts once", async () => {
      const appointmentId = await bookWithAlice();
      const token = await server.login(demo.patient);
      const posted = await server.api('POST', `/appointments/${appointmentId}/messages`, { text: 'Can I bring my own test results?' }, token);
      assert.equal(posted.status, 201);
      const patient = await openPage(browser, { viewport, allow: [{ status: 415, path: '/api/v1/attachments' }] });
      const doctor = await openPage(browser, { viewport });
      await uiLogin(patient.page, server.url, demo.patient);
      await uiLogin(doctor.page, server.url, demo.doctor);
      for (const { page } of [patient, doctor]) {
        await page.goto(`${server.url}/#/appointments/${appointmentId}`);
        await page.getByRole('heading', { name: /^Messages with / }).waitFor();
        await page.getByRole('log').getByText('Can I bring my own test results?').waitFor();
      }
      await send(doctor.page, 'Yes, please do.');
      await patient.page.getByRole('log').getByText('Yes, please do.').waitFor();
      await doctor.page.getByRole('log').getByText('Read', { exact: true }).waitFor();

      // A file the clinic does not take is refused in plain words and can be removed.
      const pp = patient.page;
      await pp.getByLabel(/^Attach files/).setInputFiles({ name: 'scan.zip', mimeType: 'application/zip', buffer: Buffer.from([0x50, 0x4b, 3, 4, 0, 0]) });
      await pp.getByText('Only PDF, PNG, JPEG and plain text files can be attached.').waitFor();
      await pp.getByRole('button', { name: 'Remove scan.zip' }).click();

      // The server stores the next message but its answer is lost; sending again stores nothing
      // new (same client_msg_id), and the message shows once on both sides.
      let dropped = false;
      await pp.route('**/api/v1/appointments/*/messages', async (route) => {
        if (route.request().method() !== 'POST' || dropped) return route.continue();
        dropped = true;
        await route.fetch();
        await route.abort('internetdisconnected');
      });
      const retried = 'I will bring the paper copy.';
      await pp.getByLabel('Message', { exact: true }).fill(retried);
      await pp.getByRole('button', { name: 'Send' }).click();
      await pp.getByText(/could not be reached/).waitFor();
      await pp.getByRole('button', { name: 'Send' }).click();
      await pp.getByText(/could not be reached/).waitFor({ state: 'detached' });
      await pp.getByRole('log').getByText(retried).waitFor();
      await doctor.page.getByRole('log').getByText(retried).waitFor();
      const thread = await server.api('GET', `/appointments/${appointmentId}/messages`, undefined, token);
      assert.equal(thread.body.items.filter((m) => m.rich_text.markdown === retried).length, 1, 'stored once');
      assert.equal(await pp.getByRole('log').getByText(retried).count(), 1);
      assert.equal(await doctor.page.getByRole('log').getByText(retried).count(), 1);

      // What is typed while a message is on its way stays in the composer for the next one.
      await pp.unroute('**/api/v1/appointments/*/messages');
      let releaseSend;
      const sendHeld = new Promise((resolve) => {
        releaseSend = resolve;
      });
      await pp.route('**/api/v1/appointments/*/messages', async (route) => {
        if (route.request().method() === 'POST') await sendHeld;
        await route.continue();
      });
      const composer = pp.getByLabel('Message', { exact: true });
      await composer.fill('The paper copy is from March.');
      await pp.getByRole('button', { name: 'Send', exact: true }).click();
      await pp.getByRole('button', { name: 'Sending…', exact: true }).waitFor();
      await composer.fill('And one from June.');
      releaseSend();
      await pp.getByRole('log').getByText('The paper copy is from March.').waitFor();
      await pp.getByRole('button', { name: 'Send', exact: true }).waitFor();
      assert.equal(await composer.inputValue(), 'And one from June.', 'the next message is kept');
      await pp.getByRole('button', { name: 'Send', exact: true }).click();
      await pp.getByRole('log').getByText('And one from June.').waitFor();
      await pp.getByRole('button', { name: 'Send', exact: true }).waitFor();
      assert.equal(await composer.inputValue(), '', 'the composer is emptied once it is sent');

      assertCleanExcept(patient, /request failed: POST .*\/messages net::ERR_INTERNET_DISCONNECTED|Failed to load resource: net::ERR_INTERNET_DISCONNECTED/);
      doctor.assertClean();
      await patient.close();
      await doctor.close();
    });
  });
}
