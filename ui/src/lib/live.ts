// One WebSocket to /api/v1/live per page (authenticated by the session cookie), shared by every
// screen. The server replays nothing, so after a reconnect subscribers are told to reload what
// they show (`onReconnect`); a message both reloaded and delivered live is merged by its `_id`.
import { useEffect, useState } from 'preact/hooks';
import type { LiveEvent } from './types';

type Listener = (event: LiveEvent) => void;

export type LiveState = 'connecting' | 'open' | 'reconnecting' | 'closed';

class LiveFeed {
  private socket: WebSocket | null = null;
  private listeners = new Set<Listener>();
  private reconnectListeners = new Set<() => void>();
  private stateListeners = new Set<(state: LiveState) => void>();
  private retryDelayMs = 500;
  private retryTimer: number | undefined;
  private everOpened = false;
  private stopped = true;
  state: LiveState = 'closed';

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
  }

  /** On logout: close and stay closed. */
  stop(): void {
    this.stopped = true;
    this.everOpened = false;
    window.clearTimeout(this.retryTimer);
    this.socket?.close(1000);
    this.socket = null;
    this.setState('closed');
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onReconnect(listener: () => void): () => void {
    this.reconnectListeners.add(listener);
    return () => this.reconnectListeners.delete(listener);
  }

  onState(listener: (state: LiveState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  private setState(state: LiveState): void {
    this.state = state;
    this.stateListeners.forEach((l) => l(state));
  }

  private connect(): void {
    const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws';
    const socket = new WebSocket(`${scheme}://${window.location.host}/api/v1/live`);
    this.socket = socket;
    if (this.state !== 'reconnecting') this.setState('connecting');
    socket.onmessage = (frame) => {
      let event: LiveEvent;
      try {
        event = JSON.parse(String(frame.data)) as LiveEvent;
      } catch {
        return;
      }
      if (event.type === 'ready') {
        this.retryDelayMs = 500;
        this.setState('open');
        if (this.everOpened) this.reconnectListeners.forEach((l) => l());
        this.everOpened = true;
      }
      this.listeners.forEach((l) => l(event));
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      if (this.stopped) return;
      this.setState('reconnecting');
      this.retryTimer = window.setTimeout(() => this.connect(), this.retryDelayMs);
      this.retryDelayMs = Math.min(this.retryDelayMs * 2, 15000);
    };
  }
}

export const live = new LiveFeed();

/** Calls `listener` for each live event while the component is mounted. */
export function useLiveEvents(listener: Listener, deps: unknown[]): void {
  useEffect(() => live.subscribe(listener), deps);
}

/** Calls `listener` after each reconnect, when what the screen shows may have missed events. */
export function useReconnect(listener: () => void, deps: unknown[]): void {
  useEffect(() => live.onReconnect(listener), deps);
}

export function useLiveState(): LiveState {
  const [state, setState] = useState(live.state);
  useEffect(() => live.onState(setState), []);
  return state;
}
