import { render } from 'preact';
import { App } from './App';
import { loadTemporal } from './lib/temporal';
import './styles.css';

const root = document.getElementById('app');
if (root) {
  loadTemporal()
    .then(() => render(<App />, root))
    .catch(() => {
      root.textContent = 'This browser cannot run Clinic. Please use a current browser.';
    });
}
