// Everyone's own account: the patient's profile, and a password change for every role (the
// server ends the session on a change, so the person logs in again with the new password).
import { useState } from 'preact/hooks';
import { api } from '../lib/api';
import { useAction, useAsync } from '../lib/hooks';
import type { RouteDef } from '../lib/routes';
import { useSession } from '../lib/session';
import type { Patient } from '../lib/types';
import { Button, ErrorNotice, Field, Loading, Notice, PageHeader } from '../components/ui';

function PatientProfile() {
  const profile = useAsync((signal) => api.get<Patient>('/patients/me', undefined, signal), []);
  const [edits, setEdits] = useState<Partial<Patient>>({});
  const [saved, setSaved] = useState(false);
  const save = useAction(async () => {
    const updated = await api.patch<Patient>('/patients/me', edits);
    profile.setData(updated);
    setEdits({});
    setSaved(true);
  });
  if (profile.loading && !profile.data) return <Loading />;
  if (!profile.data) return <ErrorNotice error={profile.error} />;
  const value = (key: keyof Patient) => String(edits[key] ?? profile.data?.[key] ?? '');
  const set = (key: keyof Patient) => (e: { currentTarget: { value: string } }) => {
    setSaved(false);
    setEdits({ ...edits, [key]: e.currentTarget.value === '' && key !== 'first_name' && key !== 'last_name' ? null : e.currentTarget.value });
  };
  return (
    <section class="card" aria-labelledby="profile-title">
      <h2 id="profile-title">Profile</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void save.run();
        }}
      >
        <div class="field-row">
          <Field label="First name" name="first_name" value={value('first_name')} onInput={set('first_name')} error={save.error} required />
          <Field label="Last name" name="last_name" value={value('last_name')} onInput={set('last_name')} error={save.error} required />
        </div>
        <Field label="Email" name="email" type="email" value={value('email')} onInput={set('email')} error={save.error} required />
        <div class="field-row">
          <Field label="Phone" name="phone" type="tel" value={value('phone')} onInput={set('phone')} error={save.error} />
          <Field label="Date of birth" name="date_of_birth" type="date" value={value('date_of_birth')} onInput={set('date_of_birth')} error={save.error} />
        </div>
        <ErrorNotice error={save.error} />
        {saved && <Notice kind="success">Your profile is saved.</Notice>}
        <Button type="submit" busy={save.busy} disabled={Object.keys(edits).length === 0}>
          Save profile
        </Button>
      </form>
    </section>
  );
}

function PasswordChange() {
  const [current, setCurrent] = useState('');
  const [replacement, setReplacement] = useState('');
  const change = useAction(async () => {
    await api.post('/auth/password', { current_password: current, new_password: replacement });
    window.location.hash = '#/';
    window.location.reload();
  });
  return (
    <section class="card" aria-labelledby="password-title">
      <h2 id="password-title">Change password</h2>
      <p class="hint">After the change you log in again with the new password, on every device.</p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void change.run();
        }}
      >
        <Field
          label="Current password"
          name="current_password"
          type="password"
          autocomplete="current-password"
          required
          value={current}
          onInput={(e) => setCurrent(e.currentTarget.value)}
          error={change.error}
        />
        <Field
          label="New password"
          name="new_password"
          type="password"
          autocomplete="new-password"
          required
          minLength={10}
          hint="At least 10 characters."
          value={replacement}
          onInput={(e) => setReplacement(e.currentTarget.value)}
          error={change.error}
        />
        <ErrorNotice error={change.error} />
        <Button type="submit" busy={change.busy}>
          Change password
        </Button>
      </form>
    </section>
  );
}

function AccountScreen() {
  const { session } = useSession();
  return (
    <div class="stack">
      <PageHeader title="Your account" />
      {session.user.role === 'patient' && <PatientProfile />}
      <PasswordChange />
    </div>
  );
}

export const accountRoutes: RouteDef[] = [{ path: '/account', screen: AccountScreen }];
