// The front desk's area of the UI: its navigation and screens (each loaded when first opened).
import type { Area } from '../lib/routes';
import { lazyComponent as lazyScreen } from '../components/lazy';

const Desk = lazyScreen(() => import('./desk').then((m) => m.DeskScreen));
const Appointments = lazyScreen(() => import('./appointments').then((m) => m.AppointmentsScreen));
const AppointmentDetail = lazyScreen(() => import('./appointments').then((m) => m.AppointmentScreen));
const Payments = lazyScreen(() => import('./payments').then((m) => m.PaymentsScreen));
const People = lazyScreen(() => import('./people').then((m) => m.PeopleScreen));
const PersonNew = lazyScreen(() => import('./people').then((m) => m.CreateRecordScreen));
const PersonEdit = lazyScreen(() => import('./people').then((m) => m.EditRecordScreen));
const Reports = lazyScreen(() => import('./reports').then((m) => m.ReportsScreen));
const Audit = lazyScreen(() => import('./audit').then((m) => m.AuditScreen));

export const adminArea: Area = {
  home: '/desk',
  nav: [
    { label: 'Front desk', path: '/desk' },
    { label: 'Appointments', path: '/appointments' },
    { label: 'Payments', path: '/payments' },
    { label: 'People & places', path: '/people' },
    { label: 'Reports', path: '/reports' },
    { label: 'Audit', path: '/audit' },
  ],
  routes: [
    { path: '/desk', screen: Desk },
    { path: '/appointments', screen: Appointments },
    { path: '/appointments/:id', screen: AppointmentDetail },
    { path: '/payments', screen: Payments },
    { path: '/people', screen: People },
    { path: '/people/:kind', screen: People },
    { path: '/people/:kind/new', screen: PersonNew },
    { path: '/people/:kind/:id', screen: PersonEdit },
    { path: '/reports', screen: Reports },
    { path: '/audit', screen: Audit },
  ],
};
