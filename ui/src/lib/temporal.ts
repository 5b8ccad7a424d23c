// Temporal: the browser's own when it has one, else temporal-polyfill, loaded (as a separate
// chunk) only then. `loadTemporal()` runs once before the first render.
import type { Temporal as TemporalApi } from 'temporal-polyfill';

export let Temporal: typeof TemporalApi;
export type { TemporalApi };

export async function loadTemporal(): Promise<void> {
  const native = (globalThis as { Temporal?: typeof TemporalApi }).Temporal;
  Temporal = native ?? (await import('temporal-polyfill')).Temporal;
}
