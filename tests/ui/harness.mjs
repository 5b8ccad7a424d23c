// Shared by every browser journey: a real clinicd on a fresh SQLite database (demo data
// optional), Debian's Chromium driven by playwright-core, pages that fail the test on any console
// error, uncaught exception, failed request or unexpected HTTP error, axe-core checks and
// screenshots under build/ui-screenshots/.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const projectRoot = path.resolve(here, '../..');
const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** The folder with clinicd and clinicctl: $CLINIC_BIN_DIR, else the dev build, else release. */
function binDir() {
  if (process.env.CLINIC_BIN_DIR) return process.env.CLINIC_BIN_DIR;
  for (const preset of ['dev', 'release']) {
    const dir = path.join(projectRoot, 'build', preset, 'bin');
    if (existsSync(path.join(dir, 'clinicd'))) return dir;
  }
  throw new Error('no clinicd: build the project first (cmake --build --preset dev)');
}

export const screenshotDir = path.join(projectRoot, 'build', 'ui-screenshots');
const webDir = process.env.CLINIC_WEB ?? path.join(projectRoot, 'build', 'web');

export const demo = {
  admin: { login: 'admin', password: 'demo-admin-pass' },
  doctor: { login: 'alice.tan@clinic.example', password: 'demo-doctor-pass' },
  patient: { login: 'john.smith@example.com', password: 'demo-patient-pass' },
};

/**
 * Starts clinicd on 127.0.0.1 (a free port) with a database of its own.
 * `seed: true` loads the demo data first. Returns {url, stop(), api(method, path, body, token)}.
 */
export async function startServer({ seed = true } = {}) {
  if (!existsSync(path.join(webDir, 'index.html'))) {
    throw new Error(`no built UI in ${webDir}: run npm ci && npm run build in ui/`);
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'clinic-ui-'));
  const env = {
    ...process.env,
    CLINIC_DB: `sqlite://${dir}/clinic.db`,
    CLINIC_FILES: `${dir}/files`,
    MONGOC_DISABLE_SHM: '1',
    ASAN_OPTIONS: process.env.ASAN_OPTIONS ?? 'detect_leaks=0',
  };
  const bin = binDir();
  if (seed) execFileSync(path.join(bin, 'clinicctl'), ['seed-demo'], { env, stdio: 'ignore' });
  const child = spawn(path.join(bin, 'clinicd'), ['--listen', '127.0.0.1:0', '--web', webDir, '--log-level', 'warn'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const url = await new Promise((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => reject(new Error(`clinicd did not start: ${stderr}`)), 60000);
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      const m = /listening on (http:\/\/\S+)/.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.on('exit', (code) => reject(new Error(`clinicd exited with ${code}: ${stderr}`)));
  });
  const api = async (method, route, body, token, headers = {}) => {
    const response = await fetch(`${url}/api/v1${route}`, {
      method,
      headers: {
        ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        ...(token ? { Authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    let json = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = text;
    }
    return { status: response.status, body: json };
  };
  const login = async (who) => {
    const body = who.login.includes('@') ? { email: who.login, password: who.password } : { username: who.login, password: who.password };
    const answer = await api('POST', '/auth/login', body);
    if (answer.status !== 200) throw new Error(`login ${who.login}: ${answer.status}`);
    return answer.body.token;
  };
  return {
    url,
    dir,
    api,
    login,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const viewports = {
  desktop: { width: 1280, height: 860 },
  mobile: { width: 375, height: 740 },
};

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/**
 * A page in a new browser context that records every problem: console errors, uncaught
 * exceptions, requests that failed and HTTP answers >= 400 other than `allow` (a list of
 * {status, path} where path is a RegExp or a substring; 401 from /api/v1/auth/me before login
 * is always allowed). `problems()` lists them; `assertClean()` throws if any.
 */
export async function openPage(browser, { viewport = viewports.desktop, timezoneId = 'UTC', allow = [] } = {}) {
  const context = await browser.newContext({ viewport, timezoneId, locale: 'en-US' });
  const page = await context.newPage();
  const problems = [];
  const allowed = [{ status: 401, path: '/api/v1/auth/me' }, ...allow];
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    // Chromium logs every HTTP answer >= 400 as a console error; those are judged (more
    // strictly, by path) by the response rule below.
    if (message.text().startsWith('Failed to load resource: the server responded with a status of')) return;
    problems.push(`console error: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  page.on('requestfailed', (request) => {
    const failure = request.failure()?.errorText ?? '';
    // A page that navigates or closes aborts its open requests (the live WebSocket, a download).
    if (failure.includes('ERR_ABORTED')) return;
    problems.push(`request failed: ${request.method()} ${request.url()} ${failure}`);
  });
  page.on('response', (response) => {
    if (response.status() < 400) return;
    const url = new URL(response.url());
    const ok = allowed.some(
      (a) => a.status === response.status() && (a.path instanceof RegExp ? a.path.test(url.pathname) : url.pathname.includes(a.path)),
    );
    if (!ok) problems.push(`HTTP ${response.status()}: ${response.request().method()} ${url.pathname}`);
  });
  return {
    page,
    context,
    allow: (status, pathPattern) => allowed.push({ status, path: pathPattern }),
    problems: () => [...problems],
    assertClean: () => {
      if (problems.length) throw new Error(`browser problems:\n${problems.join('\n')}`);
    },
    close: () => context.close(),
  };
}

/** Logs in through the UI's own form. */
export async function uiLogin(page, url, who) {
  await page.goto(`${url}/`);
  await page.getByLabel('Email or username').fill(who.login);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('button', { name: 'Log out' }).or(page.getByRole('button', { name: 'Menu' })).first().waitFor();
}

/**
 * Runs axe-core on the page and fails on serious or critical violations. axe is evaluated
 * through the DevTools protocol: the UI's Content-Security-Policy (rightly) refuses the inline
 * script that page.addScriptTag would insert.
 */
export async function assertAccessible(page, label) {
  await page.evaluate(`${axeSource}\n;0`);
  const result = await page.evaluate(async () => {
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')),
    }));
  });
  const bad = result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  if (bad.length) {
    throw new Error(`${label}: accessibility violations:\n${bad.map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.join(', ')}`).join('\n')}`);
  }
  return result;
}

/** Saves build/ui-screenshots/<name>.png (full page). */
export async function screenshot(page, name) {
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: true });
}
