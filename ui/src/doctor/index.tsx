// The doctor's area of the UI: its navigation and screens.
import type { Area } from '../lib/routes';
import { PageHeader } from '../components/ui';

function Home() {
  return <PageHeader title="Welcome" />;
}

export const doctorArea: Area = {
  home: '/home',
  nav: [{ label: 'Home', path: '/home' }],
  routes: [{ path: '/home', screen: Home }],
};
