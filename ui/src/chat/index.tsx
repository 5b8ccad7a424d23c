// Doctor–patient messaging: the thread of one appointment (embedded by the patient's and the
// doctor's appointment pages) and the inbox across appointments (their '/messages' screen), each
// loaded on first use.
import { lazyComponent } from '../components/lazy';
import type { ScreenProps } from '../lib/routes';
import type { Appointment } from '../lib/types';

export const ChatThread = lazyComponent<{ appointment: Appointment }>(() => import('./thread').then((m) => m.ChatThread));
export const InboxScreen = lazyComponent<ScreenProps>(() => import('./inbox').then((m) => m.InboxScreen));
