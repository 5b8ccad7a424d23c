// The shell: finds out who is logged in, shows the login screens to nobody and the area of the
// person's role to everybody else (navigation, the live connection, unread badges).
import { useEffect, useLayoutEffect, useMemo, useState } from 'preact/hooks';
import { api, describeError, onUnauthenticated } from './lib/api';
import { live, useLiveState } from './lib/live';
import { href, match, useLocation } from './lib/router';
import type { Area } from './lib/routes';
import { displayName, loadSession, SessionContext, type Session } from './lib/session';
import { unread, useUnread } from './lib/unread';
import { accountRoutes } from './auth/account';
import { LoginScreen, RegisterScreen } from './auth/login';
import { patientArea } from './patient';
import { doctorArea } from './doctor';
import { adminArea } from './admin';
import { Loading } from './components/ui';

const areas: Record<Session['user']['role'], Area> = {
  patient: patientArea,
  doctor: doctorArea,
  admin: adminArea,
};

export function App() {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [failure, setFailure] = useState<string | null>(null);

  const refresh = () =>
    loadSession()
      .then((s) => {
        setFailure(null);
        setSession(s);
      })
      .catch((e: unknown) => setFailure(describeError(e)));

  // Right after the first render, not a frame later: main.tsx has asked `/auth/me` already, and the
  // shell shows as soon as the answer is in.
  useLayoutEffect(() => {
    void refresh();
    return onUnauthenticated(() => setSession(null));
  }, []);

  useEffect(() => {
    if (!session || session.name) return;
    let current = true;
    displayName(session.user)
      .then((name) => current && setSession((s) => (s && s.user === session.user ? { ...s, name } : s)))
      .catch(() => undefined);
    return () => {
      current = false;
    };
  }, [session]);

  useEffect(() => {
    if (!session) return;
    live.start();
    unread.start();
    return () => {
      unread.stop();
      live.stop();
    };
  }, [session?.user.role, session?.user.id]);

  if (failure) {
    return (
      <main class="centered">
        <p class="notice notice--error" role="alert">
          {failure}
        </p>
        <button type="button" class="button button--primary" onClick={() => void refresh()}>
          Try again
        </button>
      </main>
    );
  }
  if (session === undefined) return <Loading label="Loading Clinic…" />;
  if (session === null) return <Anonymous onLoggedIn={() => void refresh()} />;

  // The screens go first (their requests are aborted, live updates and unread counts stop), then
  // the session ends: nothing is asked for with a session that is already gone.
  const logout = async () => {
    setSession(null);
    window.location.hash = '#/';
    await api.post('/auth/logout').catch(() => undefined);
  };
  return (
    <SessionContext.Provider value={{ session, logout }}>
      <Shell session={session} area={areas[session.user.role]} onLogout={logout} />
    </SessionContext.Provider>
  );
}

function Anonymous({ onLoggedIn }: { onLoggedIn: () => void }) {
  const { path } = useLocation();
  return (
    <div class="anonymous">
      <header class="brand-bar">
        <a class="brand" href="#/">
          <img src="/favicon.svg" alt="" width={28} height={28} />
          Clinic
        </a>
      </header>
      <main id="main">
        {path === '/register' ? <RegisterScreen onRegistered={onLoggedIn} /> : <LoginScreen onLoggedIn={onLoggedIn} />}
      </main>
    </div>
  );
}

function Shell({ session, area, onLogout }: { session: Session; area: Area; onLogout: () => Promise<void> }) {
  const location = useLocation();
  const [menuOpen, setMenuOpen] = useState(false);
  const liveState = useLiveState();
  useUnread();
  const routes = useMemo(() => [...area.routes, ...accountRoutes], [area]);
  const path = location.path === '/' ? area.home : location.path;

  let screen = null;
  for (const route of routes) {
    const params = match(route.path, path);
    if (params) {
      const Screen = route.screen;
      screen = <Screen params={params} query={location.query} />;
      break;
    }
  }

  useEffect(() => setMenuOpen(false), [location.path]);

  return (
    <div class="shell">
      <a class="skip-link" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>
        Skip to content
      </a>
      <header class="top-bar">
        <a class="brand" href={href(area.home)}>
          <img src="/favicon.svg" alt="" width={28} height={28} />
          Clinic
        </a>
        <button
          type="button"
          class="menu-toggle"
          aria-expanded={menuOpen ? 'true' : 'false'}
          aria-controls="primary-nav"
          onClick={() => setMenuOpen(!menuOpen)}
        >
          Menu
        </button>
        <nav id="primary-nav" class={`primary-nav${menuOpen ? ' primary-nav--open' : ''}`} aria-label="Main">
          <ul>
            {area.nav.map((item) => {
              const count = item.badge?.() ?? 0;
              const active = path === item.path || path.startsWith(`${item.path}/`);
              return (
                <li key={item.path}>
                  <a href={href(item.path)} aria-current={active ? 'page' : undefined}>
                    {item.label}
                    {count > 0 && (
                      <span class="badge badge--count" aria-label={`${count} unread`}>
                        {count}
                      </span>
                    )}
                  </a>
                </li>
              );
            })}
          </ul>
          <div class="user-menu">
            <a href={href('/account')} class="user-name">
              {session.name || 'Your account'}
            </a>
            <button type="button" class="button button--secondary" onClick={() => void onLogout()}>
              Log out
            </button>
          </div>
        </nav>
      </header>
      {liveState === 'reconnecting' && (
        <p class="connection-banner" role="status">
          Live updates paused — reconnecting…
        </p>
      )}
      <main id="main" tabIndex={-1}>
        {screen ?? (
          <div>
            <h1>Not found</h1>
            <p>
              There is nothing at this address. <a href={href(area.home)}>Go to the start page</a>.
            </p>
          </div>
        )}
      </main>
    </div>
  );
}
