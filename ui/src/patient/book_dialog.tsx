// The dialog that books one picked free time: a patient booking for themself (the doctor's page) and
// the front desk booking for a patient on the phone both confirm here. It shows who, when and where,
// asks for an optional reason and posts the appointment; what follows a booking or a refusal (a
// taken slot) is the caller's business.
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { api, ApiError, newIdempotencyKey } from '../lib/api';
import { useAction } from '../lib/hooks';
import { doctorName, personName } from '../lib/session';
import type { Appointment, Doctor, Location, Patient, Slot } from '../lib/types';
import { Button, Dialog, ErrorNotice, Field, TextArea } from '../components/ui';

export interface BookDialogProps {
  /** The picked time; the dialog is open while there is one. */
  slot: Slot | null;
  doctor: Doctor | undefined;
  location: Location | undefined;
  /** The patient the front desk books for; absent when patients book for themselves. */
  patient?: Patient;
  title: string;
  /** The text of the button that closes the dialog without booking. */
  cancelLabel: string;
  /** The class of the who/when/where list (each area styles its facts). */
  factsClass: string;
  /** The slot's time as the area shows times. */
  when: (slot: Slot, location: Location) => ComponentChildren;
  /** The clinic as the area shows it. */
  where: (location: Location) => ComponentChildren;
  /** A several-line reason with this hint; a one-line reason without a hint when absent. */
  reasonHint?: string;
  onClose: () => void;
  onBooked: (appointment: Appointment, slot: Slot) => void;
  /** Told of every failed booking (409: the time was taken meanwhile) before the dialog shows the error. */
  onRefused: (slot: Slot, error: unknown) => void | Promise<void>;
}

export function BookDialog(props: BookDialogProps) {
  const { slot, doctor, location, title, onClose } = props;
  return (
    <Dialog title={title} open={slot !== null} onClose={onClose}>
      {/* Mounted afresh for every picked time: one booking intention, one form. */}
      {slot && doctor && location && <BookForm {...props} slot={slot} doctor={doctor} location={location} />}
    </Dialog>
  );
}

function BookForm({
  slot,
  doctor,
  location,
  patient,
  cancelLabel,
  factsClass,
  when,
  where,
  reasonHint,
  onClose,
  onBooked,
  onRefused,
}: BookDialogProps & { slot: Slot; doctor: Doctor; location: Location }) {
  const [reason, setReason] = useState('');
  // One key per booking intention: a double click or a retry after a lost answer books once.
  const [key, setKey] = useState(newIdempotencyKey);
  const book = useAction(async () => {
    const body: Record<string, unknown> = { slot_id: slot.id };
    if (patient) body.patient_id = patient.id;
    if (reason.trim()) body.reason = reason.trim();
    try {
      const appointment = await api.post<Appointment>('/appointments', body, key);
      onBooked(appointment, slot);
    } catch (error) {
      // Refused by the server: nothing was booked, so another try is a new attempt with a new key.
      if (error instanceof ApiError && error.status >= 400 && error.status < 500) setKey(newIdempotencyKey());
      await onRefused(slot, error);
      throw error;
    }
  });
  const reasonInput = {
    label: 'Reason for the visit',
    name: 'reason',
    maxLength: 255,
    value: reason,
    onInput: (e: { currentTarget: HTMLInputElement | HTMLTextAreaElement }) => setReason(e.currentTarget.value),
    error: book.error,
  };
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        void book.run();
      }}
    >
      <dl class={factsClass}>
        {patient && (
          <>
            <dt>Patient</dt>
            <dd>{personName(patient)}</dd>
          </>
        )}
        <dt>Doctor</dt>
        <dd>
          {doctorName(doctor)}, {doctor.specialization}
        </dd>
        <dt>When</dt>
        <dd>{when(slot, location)}</dd>
        <dt>Where</dt>
        <dd>{where(location)}</dd>
      </dl>
      {reasonHint === undefined ? <Field {...reasonInput} /> : <TextArea {...reasonInput} hint={reasonHint} />}
      <ErrorNotice error={book.error} />
      <div class="row">
        <Button type="submit" busy={book.busy}>
          Book appointment
        </Button>
        <Button variant="secondary" onClick={onClose}>
          {cancelLabel}
        </Button>
      </div>
    </form>
  );
}
