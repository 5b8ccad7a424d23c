// The patient portal: its navigation and screens (appointments first: what a patient opens the
// portal for), booking through "Find a doctor", prescriptions, payments and messages.
import type { Area } from '../lib/routes';
import { unread } from '../lib/unread';
import { InboxScreen } from '../chat';
import { AppointmentDetailScreen, AppointmentsScreen } from './appointments';
import { DoctorScreen, FindDoctorScreen } from './find_doctor';
import { PaymentsScreen } from './payments';
import { PrescriptionsScreen } from './prescriptions';

export const patientArea: Area = {
  home: '/appointments',
  nav: [
    { label: 'Appointments', path: '/appointments' },
    { label: 'Find a doctor', path: '/doctors' },
    { label: 'Prescriptions', path: '/prescriptions' },
    { label: 'Payments', path: '/payments' },
    { label: 'Messages', path: '/messages', badge: () => unread.total() },
  ],
  routes: [
    { path: '/appointments', screen: AppointmentsScreen },
    { path: '/appointments/:id', screen: AppointmentDetailScreen },
    { path: '/doctors', screen: FindDoctorScreen },
    { path: '/doctors/:id', screen: DoctorScreen },
    { path: '/prescriptions', screen: PrescriptionsScreen },
    { path: '/payments', screen: PaymentsScreen },
    { path: '/messages', screen: InboxScreen },
  ],
};
