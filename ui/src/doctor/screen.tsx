// What the doctor's own screens share: waiting for the doctor's record and the clinic's locations
// before showing anything, and loading again when one of the doctor's appointments changes.
import type { ComponentType } from 'preact';
import { useLiveEvents, useReconnect } from '../lib/live';
import type { ScreenProps } from '../lib/routes';
import { ErrorNotice, Loading } from '../components/ui';
import { useDoctorContext, type DoctorContext } from './model';

/** What a doctor's screen shows once the doctor's context is loaded. */
export interface DoctorScreenProps {
  doctorId: number;
  context: DoctorContext;
  query: URLSearchParams;
}

/** The screen that shows `Body` once the logged-in doctor's context is loaded; the failure or `loadingLabel` until then. */
export function doctorScreen(loadingLabel: string, Body: ComponentType<DoctorScreenProps>): ComponentType<ScreenProps> {
  return function DoctorScreen({ query }: ScreenProps) {
    const { doctorId, context } = useDoctorContext();
    if (context.error) return <ErrorNotice error={context.error} />;
    if (!context.data) return <Loading label={loadingLabel} />;
    return <Body doctorId={doctorId} context={context.data} query={query} />;
  };
}

/** Calls `reload` when one of the doctor's appointments changes, and after a reconnect (events may be missed). */
export function useReloadOnAppointments(doctorId: number, reload: () => void): void {
  useLiveEvents(
    (event) => {
      if (event.type === 'appointment' && event.appointment.doctor_id === doctorId) reload();
    },
    [doctorId],
  );
  useReconnect(() => reload(), []);
}
