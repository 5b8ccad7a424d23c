import { render } from 'preact';
import { App } from './App';
import { prefetch } from './lib/api';
import { currentLocation, match } from './lib/router';
import { loadTemporal } from './lib/temporal';
import { browserZone } from './lib/time';
import { prefetchDoctorPage } from './patient/find_doctor';
import './styles.css';

// The first screen's requests go out before anything renders (and before the Temporal polyfill
// loads, where one is needed): on a cold load the requests are most of the wait. The booking
// page's are public, so asking for them before the session is known gives nothing away.
void prefetch('/auth/me');
const temporal = loadTemporal();
const start = currentLocation();
const doctorPage = match('/doctors/:id', start.path);
if (doctorPage && /^\d+$/.test(doctorPage.id ?? '')) {
  prefetchDoctorPage(Number(doctorPage.id), start.query.get('week'), temporal);
}

const root = document.getElementById('app');
if (root) {
  temporal
    .then(() => {
      render(<App />, root);
      // The page's first date formatter costs tens of milliseconds of ICU set-up: paid now, while
      // the requests are on their way, rather than once their answers are there to be shown.
      browserZone();
    })
    .catch(() => {
      root.textContent = 'This browser cannot run Clinic. Please use a current browser.';
    });
}
