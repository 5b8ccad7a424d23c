// Doctor–patient messaging: the thread of one appointment (embedded by the patient's and the
// doctor's appointment pages) and the inbox across appointments (their '/messages' screen).
export { ChatThread } from './thread';
export { InboxScreen } from './inbox';
