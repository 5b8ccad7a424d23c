// The shared building blocks: labelled fields with their server-side error, buttons with a busy
// state, notices, loading and empty states, and a modal dialog. Every control has a visible label.
import type {
  ButtonHTMLAttributes,
  ComponentChildren,
  InputHTMLAttributes,
  SelectHTMLAttributes,
  TextareaHTMLAttributes,
} from 'preact';
import { useId, useLayoutEffect, useRef } from 'preact/hooks';
import { ApiError, describeError } from '../lib/api';

export function errorFor(error: unknown, field: string): string | undefined {
  return error instanceof ApiError ? error.forField(field) : undefined;
}

interface FieldProps {
  label: string;
  name: string;
  error?: unknown;
  hint?: string;
}

/** What a control needs to be tied to its label, hint and error message. */
interface ControlWiring {
  id: string;
  name: string;
  'aria-invalid': 'true' | undefined;
  'aria-describedby': string | undefined;
}

/** The label, the optional hint and the server's message for `name` around one control. */
function FieldFrame({ label, name, error, hint, control }: FieldProps & { control: (wiring: ControlWiring) => ComponentChildren }) {
  const id = useId();
  const message = errorFor(error, name);
  const describedBy = [hint ? `${id}-hint` : '', message ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div class={`field${message ? ' field--invalid' : ''}`}>
      <label for={id}>{label}</label>
      {control({ id, name, 'aria-invalid': message ? 'true' : undefined, 'aria-describedby': describedBy || undefined })}
      {hint && (
        <small id={`${id}-hint`} class="hint">
          {hint}
        </small>
      )}
      {message && (
        <small id={`${id}-error`} class="field-error">
          {message}
        </small>
      )}
    </div>
  );
}

type InputProps = FieldProps & Omit<InputHTMLAttributes<HTMLInputElement>, 'name' | 'label' | 'children'>;

/** An input with its label, an optional hint and the server's message for `name`, if any. */
export function Field({ label, name, error, hint, ...input }: InputProps) {
  return (
    <FieldFrame
      label={label}
      name={name}
      error={error}
      hint={hint}
      control={(wiring) => <input {...wiring} {...(input as InputHTMLAttributes<HTMLInputElement>)} />}
    />
  );
}

type TextAreaProps = FieldProps & Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, 'name' | 'label' | 'children'>;

export function TextArea({ label, name, error, hint, ...input }: TextAreaProps) {
  return (
    <FieldFrame label={label} name={name} error={error} hint={hint} control={(wiring) => <textarea {...wiring} {...input} />} />
  );
}

type SelectProps = FieldProps &
  Omit<SelectHTMLAttributes<HTMLSelectElement>, 'name' | 'label'> & {
    options: { value: string; label: string }[];
  };

export function Select({ label, name, error, hint, options, ...select }: SelectProps) {
  return (
    <FieldFrame
      label={label}
      name={name}
      error={error}
      hint={hint}
      control={(wiring) => (
        <select {...wiring} {...(select as SelectHTMLAttributes<HTMLSelectElement>)}>
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    />
  );
}

type ButtonProps = ButtonHTMLAttributes<HTMLButtonElement> & {
  busy?: boolean;
  variant?: 'primary' | 'secondary' | 'danger' | 'link';
};

export function Button({ busy, variant = 'primary', children, disabled, type, ...rest }: ButtonProps) {
  return (
    <button
      type={type ?? 'button'}
      class={`button button--${variant}`}
      disabled={Boolean(disabled) || busy}
      aria-busy={busy ? 'true' : undefined}
      {...rest}
    >
      {children}
    </button>
  );
}

/** The error of a failed request in plain words; field errors also show next to their fields. */
export function ErrorNotice({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <p class="notice notice--error" role="alert">
      {describeError(error)}
    </p>
  );
}

export function Notice({ kind = 'info', children }: { kind?: 'info' | 'success' | 'warning'; children: ComponentChildren }) {
  return (
    <p class={`notice notice--${kind}`} role="status">
      {children}
    </p>
  );
}

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <p class="loading" role="status" aria-live="polite">
      {label}
    </p>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="empty">{children}</p>;
}

export function Badge({ children, kind = 'neutral', label }: { children: ComponentChildren; kind?: string; label?: string }) {
  return (
    <span class={`badge badge--${kind}`} aria-label={label}>
      {children}
    </span>
  );
}

/** A modal dialog (the native <dialog>: focus trap, Escape to close). */
export function Dialog({
  title,
  open,
  onClose,
  children,
}: {
  title: string;
  open: boolean;
  onClose: () => void;
  children: ComponentChildren;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const id = useId();
  // Opened (or closed) in the frame that renders it, not the one after.
  useLayoutEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog ref={ref} class="dialog" aria-labelledby={id} onClose={onClose}>
      <header class="dialog-header">
        <h2 id={id}>{title}</h2>
        <button type="button" class="button button--link" aria-label="Close" onClick={onClose}>
          ×
        </button>
      </header>
      {open && children}
    </dialog>
  );
}

/** A page's heading and its actions. */
export function PageHeader({ title, children }: { title: string; children?: ComponentChildren }) {
  return (
    <div class="page-header">
      <h1>{title}</h1>
      {children && <div class="page-actions">{children}</div>}
    </div>
  );
}

const statusLabels: Record<string, string> = {
  scheduled: 'Scheduled',
  completed: 'Completed',
  cancelled: 'Cancelled',
  no_show: 'No-show',
  pending: 'Pending',
  paid: 'Paid',
  refunded: 'Refunded',
  failed: 'Failed',
  active: 'Active',
  superseded: 'Replaced',
};

export function StatusBadge({ status }: { status: string }) {
  return <Badge kind={status}>{statusLabels[status] ?? status}</Badge>;
}
