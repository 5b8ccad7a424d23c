// Who is logged in. The session itself is the server's HttpOnly cookie; the UI only asks
// `/auth/me` who that is and fetches the person's display name.
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { api, ApiError } from './api';
import type { Admin, Doctor, Patient, Principal } from './types';

export interface Session {
  user: Principal;
  name: string;
}

export interface SessionApi {
  session: Session;
  logout: () => Promise<void>;
}

export const SessionContext = createContext<SessionApi | null>(null);

export function useSession(): SessionApi {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside a logged-in screen');
  return value;
}

/** How the shell names the person: "Dr. Alice Tan", "John Smith", the admin's username. */
export async function displayName(user: Principal): Promise<string> {
  switch (user.role) {
    case 'patient': {
      const p = await api.get<Patient>('/patients/me');
      return `${p.first_name} ${p.last_name}`;
    }
    case 'doctor': {
      const d = await api.get<Doctor>(`/doctors/${user.id}`);
      return `Dr. ${d.first_name} ${d.last_name}`;
    }
    case 'admin': {
      const a = await api.get<Admin>(`/admins/${user.id}`);
      return a.username;
    }
  }
}

/**
 * The current session, or null when nobody is logged in. `name` is empty: the shell renders at
 * once and fills it in from `displayName`, so the first screen's data is not held up by it.
 */
export async function loadSession(): Promise<Session | null> {
  try {
    const { user } = await api.get<{ user: Principal }>('/auth/me');
    return { user, name: '' };
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return null;
    throw error;
  }
}

export function personName(p: { first_name: string; last_name: string }): string {
  return `${p.first_name} ${p.last_name}`;
}

export function doctorName(d: { first_name: string; last_name: string }): string {
  return `Dr. ${d.first_name} ${d.last_name}`;
}
