// The booking page's cold-load cost, measured in Chromium against a real clinicd with demo data:
// for each of N cold loads (a new browser context: empty cache, the session cookie only) the time
// from navigation start to the first free slot shown, and to the booking dialog open after a click
// on it (the page is interactive), plus the JavaScript and CSS bytes the page transferred and
// their gzip size. Prints a Markdown table; asserts nothing about speed.
//
//   node bench/ui/load.mjs [--loads 20]
// Uses the harness of the browser tests (tests/ui: run `npm ci` there first), clinicd from
// $CLINIC_BIN_DIR (default build/release/bin when built, else build/dev/bin) and the UI in build/web.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
if (!process.env.CLINIC_BIN_DIR && existsSync(path.join(root, 'build/release/bin/clinicd'))) {
  process.env.CLINIC_BIN_DIR = path.join(root, 'build/release/bin');
}
const { demo, launchBrowser, startServer } = await import('../../tests/ui/harness.mjs');

const loadsArg = process.argv.indexOf('--loads');
const loads = loadsArg > 0 ? Number(process.argv[loadsArg + 1]) : 20;

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
const percentile = (values, p) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))];

const server = await startServer({ seed: true });
const browser = await launchBrowser();
try {
  const doctors = await server.api('GET', '/doctors?limit=1');
  const doctorId = doctors.body.items[0].id;
  const token = await server.login(demo.patient);
  const host = new URL(server.url).hostname;
  const firstSlot = [];
  const interactive = [];
  let bytes = null;
  for (let i = 0; i < loads; i++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    await context.addCookies([{ name: 'clinic_session', value: token, domain: host, path: '/', httpOnly: true, sameSite: 'Strict' }]);
    const page = await context.newPage();
    // Recorded inside the page, against its own navigation start, by an init script (the
    // DevTools protocol runs it; the page's Content-Security-Policy does not apply).
    await page.addInitScript(() => {
      new MutationObserver((_, observer) => {
        if (document.querySelector('.slot-button')) {
          window.__firstSlotMs = performance.now();
          observer.disconnect();
        }
      }).observe(document, { childList: true, subtree: true });
    });
    const assets = [];
    page.on('response', (response) => {
      const type = response.headers()['content-type'] ?? '';
      if (type.includes('javascript') || type.includes('text/css')) assets.push(response);
    });
    await page.goto(`${server.url}/#/doctors/${doctorId}`);
    const slot = page.locator('.slot-button').first();
    await slot.waitFor();
    const shown = await page.evaluate(() => window.__firstSlotMs);
    await slot.click();
    await page.getByRole('dialog').waitFor();
    const open = await page.evaluate(() => performance.now());
    firstSlot.push(shown);
    interactive.push(open);
    if (!bytes) {
      bytes = { js: 0, css: 0, jsGzip: 0, cssGzip: 0 };
      for (const response of assets) {
        const body = await response.body();
        const kind = (response.headers()['content-type'] ?? '').includes('css') ? 'css' : 'js';
        bytes[kind] += (await response.request().sizes()).responseBodySize;
        bytes[`${kind}Gzip`] += gzipSync(body, { level: 9 }).length;
      }
    }
    await context.close();
  }
  const row = (name, values) =>
    `| ${name} | ${median(values).toFixed(0)} | ${percentile(values, 90).toFixed(0)} | ${Math.max(...values).toFixed(0)} |`;
  console.log(`UI cold loads of the booking page (${loads}, demo data, Chromium ${browser.version()})\n`);
  console.log('| milliseconds from navigation start | median | p90 | max |\n|---|---|---|---|');
  console.log(row('first free slot shown', firstSlot));
  console.log(row('booking dialog open after a click on it', interactive));
  console.log('\n| bytes transferred | raw | gzip -9 |\n|---|---|---|');
  console.log(`| JavaScript | ${bytes.js} | ${bytes.jsGzip} |`);
  console.log(`| CSS | ${bytes.css} | ${bytes.cssGzip} |`);
} finally {
  await browser.close();
  await server.stop();
}
