// Unread message counts per appointment, as the server counts them: fetched on login and again
// (debounced) after any live message or read event and after a reconnect, so badges never drift.
import { useEffect, useState } from 'preact/hooks';
import { api } from './api';
import { live } from './live';

interface UnreadAnswer {
  items: { thread_id: string; appointment_id: number; unread: number }[];
}

class UnreadCounts {
  private counts = new Map<number, number>();
  private listeners = new Set<() => void>();
  private timer: number | undefined;
  private unsubscribe: (() => void)[] = [];

  start(): void {
    this.stop();
    this.unsubscribe = [
      live.subscribe((event) => {
        if (event.type === 'message' || event.type === 'read' || event.type === 'appointment') this.refreshSoon();
      }),
      live.onReconnect(() => this.refreshSoon()),
    ];
    void this.refresh();
  }

  stop(): void {
    this.unsubscribe.forEach((u) => u());
    this.unsubscribe = [];
    this.counts.clear();
    this.notify();
  }

  refreshSoon(): void {
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(() => void this.refresh(), 150);
  }

  async refresh(): Promise<void> {
    try {
      const answer = await api.get<UnreadAnswer>('/messages/unread');
      this.counts = new Map(answer.items.map((i) => [i.appointment_id, i.unread]));
      this.notify();
    } catch {
      // a failed refresh keeps the last counts; the next event or reconnect retries
    }
  }

  forAppointment(id: number): number {
    return this.counts.get(id) ?? 0;
  }

  total(): number {
    let sum = 0;
    this.counts.forEach((n) => (sum += n));
    return sum;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private notify(): void {
    this.listeners.forEach((l) => l());
  }
}

export const unread = new UnreadCounts();

/** Re-renders the caller whenever the counts change. */
export function useUnread(): UnreadCounts {
  const [, setTick] = useState(0);
  useEffect(() => unread.subscribe(() => setTick((t) => t + 1)), []);
  return unread;
}
