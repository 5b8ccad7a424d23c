// The doctor's workspace: the day/week schedule and each appointment (notes, prescriptions,
// messages), availability (working hours, slots, time off) and the inbox.
// Its screens load when first opened: patients and the front desk never download them.
import type { Area, ScreenProps } from '../lib/routes';
import { unread } from '../lib/unread';
import { lazyComponent } from '../components/lazy';
import { InboxScreen } from '../chat';

const AppointmentScreen = lazyComponent<ScreenProps>(() => import('./appointment').then((m) => m.AppointmentScreen));
const ScheduleScreen = lazyComponent<ScreenProps>(() => import('./schedule').then((m) => m.ScheduleScreen));
const SlotsScreen = lazyComponent<ScreenProps>(() => import('./slots').then((m) => m.SlotsScreen));
const WorkingHoursScreen = lazyComponent<ScreenProps>(() => import('./working-hours').then((m) => m.WorkingHoursScreen));

export const doctorArea: Area = {
  home: '/schedule',
  nav: [
    { label: 'Schedule', path: '/schedule' },
    { label: 'Working hours', path: '/working-hours' },
    { label: 'Slots and time off', path: '/slots' },
    { label: 'Messages', path: '/messages', badge: () => unread.total() },
  ],
  routes: [
    { path: '/schedule', screen: ScheduleScreen },
    { path: '/schedule/:id', screen: AppointmentScreen },
    { path: '/appointments/:id', screen: AppointmentScreen },
    { path: '/working-hours', screen: WorkingHoursScreen },
    { path: '/slots', screen: SlotsScreen },
    { path: '/messages', screen: InboxScreen },
  ],
};
