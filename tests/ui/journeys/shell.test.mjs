// Each role logs in through the form, lands on its start page and logs out; the login and
// registration screens pass axe at desktop and phone sizes.
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

for (const [size, viewport] of Object.entries(viewports)) {
  describe(`at ${size} size`, () => {
    test('the login and registration screens are accessible', async () => {
      const p = await openPage(browser, { viewport });
      await p.page.goto(`${server.url}/`);
      await p.page.getByRole('heading', { name: 'Log in' }).waitFor();
      await assertAccessible(p.page, 'login');
      await screenshot(p.page, `login-${size}`);
      await p.page.getByRole('link', { name: 'Create an account' }).click();
      await p.page.getByRole('heading', { name: 'Create your patient account' }).waitFor();
      await assertAccessible(p.page, 'register');
      await screenshot(p.page, `register-${size}`);
      p.assertClean();
      await p.close();
    });

    for (const role of ['patient', 'doctor', 'admin']) {
      test(`a ${role} logs in and out`, async () => {
        const p = await openPage(browser, { viewport });
        await uiLogin(p.page, server.url, demo[role]);
        if (size === 'mobile') await p.page.getByRole('button', { name: 'Menu' }).click();
        // A request already on its way when the session ends (a list still loading) is
        // answered 401; the UI has dropped it by then.
        p.allow(401, '/api/v1/');
        await p.page.getByRole('button', { name: 'Log out' }).click();
        await p.page.getByRole('heading', { name: 'Log in' }).waitFor();
        p.assertClean();
        await p.close();
      });
    }

    test('a wrong password is said plainly and logs nobody in', async () => {
      const p = await openPage(browser, { viewport, allow: [{ status: 401, path: '/api/v1/auth/login' }] });
      await p.page.goto(`${server.url}/`);
      await p.page.getByLabel('Email or username').fill(demo.patient.login);
      await p.page.getByLabel('Password').fill('not-the-password');
      await p.page.getByRole('button', { name: 'Log in' }).click();
      const alert = p.page.getByRole('alert');
      await alert.waitFor();
      assert.match(await alert.innerText(), /password|credentials|log in/i);
      p.assertClean();
      await p.close();
    });
  });
}
