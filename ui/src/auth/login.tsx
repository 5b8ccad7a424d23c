// Log in (patients and doctors by email, admins by username or email) and patient registration.
import { useState } from 'preact/hooks';
import { api } from '../lib/api';
import { useAction } from '../lib/hooks';
import { Button, ErrorNotice, Field, Select } from '../components/ui';

export function LoginScreen({ onLoggedIn }: { onLoggedIn: () => void }) {
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const submit = useAction(async () => {
    const body = login.includes('@') ? { email: login.trim(), password } : { username: login.trim(), password };
    await api.post('/auth/login', body);
    onLoggedIn();
  });
  return (
    <section class="card auth-card" aria-labelledby="login-title">
      <h1 id="login-title">Log in</h1>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void submit.run();
        }}
      >
        <Field
          label="Email or username"
          name="login"
          autocomplete="username"
          required
          value={login}
          onInput={(e) => setLogin(e.currentTarget.value)}
          error={submit.error}
        />
        <Field
          label="Password"
          name="password"
          type="password"
          autocomplete="current-password"
          required
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
          error={submit.error}
        />
        <ErrorNotice error={submit.error} />
        <Button type="submit" busy={submit.busy}>
          Log in
        </Button>
      </form>
      <p class="auth-switch">
        New patient? <a href="#/register">Create an account</a>
      </p>
    </section>
  );
}

const genders = [
  { value: '', label: 'Prefer not to say / skip' },
  { value: 'female', label: 'Female' },
  { value: 'male', label: 'Male' },
  { value: 'other', label: 'Other' },
  { value: 'prefer_not_to_say', label: 'Prefer not to say' },
];

export function RegisterScreen({ onRegistered }: { onRegistered: () => void }) {
  const [form, setForm] = useState({
    first_name: '',
    last_name: '',
    email: '',
    password: '',
    phone: '',
    date_of_birth: '',
    gender: '',
  });
  const set = (key: keyof typeof form) => (e: { currentTarget: { value: string } }) =>
    setForm({ ...form, [key]: e.currentTarget.value });
  const submit = useAction(async () => {
    const body: Record<string, string> = {
      first_name: form.first_name,
      last_name: form.last_name,
      email: form.email.trim(),
      password: form.password,
    };
    if (form.phone) body.phone = form.phone;
    if (form.date_of_birth) body.date_of_birth = form.date_of_birth;
    if (form.gender) body.gender = form.gender;
    await api.post('/auth/register', body);
    await api.post('/auth/login', { email: body.email, password: form.password });
    window.location.hash = '#/';
    onRegistered();
  });
  return (
    <section class="card auth-card" aria-labelledby="register-title">
      <h1 id="register-title">Create your patient account</h1>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void submit.run();
        }}
      >
        <div class="field-row">
          <Field label="First name" name="first_name" autocomplete="given-name" required value={form.first_name} onInput={set('first_name')} error={submit.error} />
          <Field label="Last name" name="last_name" autocomplete="family-name" required value={form.last_name} onInput={set('last_name')} error={submit.error} />
        </div>
        <Field label="Email" name="email" type="email" autocomplete="email" required value={form.email} onInput={set('email')} error={submit.error} />
        <Field
          label="Password"
          name="password"
          type="password"
          autocomplete="new-password"
          required
          minLength={10}
          hint="At least 10 characters."
          value={form.password}
          onInput={set('password')}
          error={submit.error}
        />
        <Field label="Phone (optional)" name="phone" type="tel" autocomplete="tel" value={form.phone} onInput={set('phone')} error={submit.error} />
        <div class="field-row">
          <Field label="Date of birth (optional)" name="date_of_birth" type="date" autocomplete="bday" value={form.date_of_birth} onInput={set('date_of_birth')} error={submit.error} />
          <Select label="Gender (optional)" name="gender" options={genders} value={form.gender} onChange={set('gender')} error={submit.error} />
        </div>
        <ErrorNotice error={submit.error} />
        <Button type="submit" busy={submit.busy}>
          Create account
        </Button>
      </form>
      <p class="auth-switch">
        Already registered? <a href="#/">Log in</a>
      </p>
    </section>
  );
}
