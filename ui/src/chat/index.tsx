// Doctor–patient messaging: the thread of one appointment and the inbox across appointments.
import type { Appointment } from '../lib/types';
import { PageHeader } from '../components/ui';

/** The conversation of one appointment, live. */
export function ChatThread({ appointment }: { appointment: Appointment }) {
  return <p class="empty">Messages for appointment {appointment.id} appear here.</p>;
}

/** Every thread of the logged-in patient or doctor, with unread counts, live. */
export function InboxScreen() {
  return <PageHeader title="Messages" />;
}
