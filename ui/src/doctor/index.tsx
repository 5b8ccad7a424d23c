// The doctor's workspace: the day/week schedule and each appointment (notes, prescriptions,
// messages), availability (working hours, slots, time off) and the inbox.
import type { Area } from '../lib/routes';
import { unread } from '../lib/unread';
import { InboxScreen } from '../chat';
import { AppointmentScreen } from './appointment';
import { ScheduleScreen } from './schedule';
import { SlotsScreen } from './slots';
import { WorkingHoursScreen } from './working-hours';

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
