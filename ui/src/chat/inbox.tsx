// The inbox: one conversation per appointment of the logged-in person, with live unread counts;
// `?appointment=ID` opens that conversation beside the list (below it on a phone, instead of it).
import { useId, useState } from 'preact/hooks';
import { api, fetchAll } from '../lib/api';
import { useAsync } from '../lib/hooks';
import { useLiveEvents, useReconnect } from '../lib/live';
import { href, useLocation } from '../lib/router';
import { useSession } from '../lib/session';
import type { Role } from '../lib/types';
import { formatDateTime, zoneAbbreviation } from '../lib/time';
import { useUnread } from '../lib/unread';
import { Empty, ErrorNotice, Loading, PageHeader, StatusBadge } from '../components/ui';
import { counterpartLabel, zoneOf, type NamedAppointment } from './model';
import { ChatThread } from './thread';

function upsert(list: NamedAppointment[], appointment: NamedAppointment): NamedAppointment[] {
  const index = list.findIndex((a) => a.id === appointment.id);
  if (index < 0) return [...list, appointment];
  return list.map((a) => (a.id === appointment.id ? { ...a, ...appointment } : a));
}

/** Upcoming scheduled appointments soonest first, then everything else most recent first. */
function arrange(list: NamedAppointment[], now: number): { upcoming: NamedAppointment[]; earlier: NamedAppointment[] } {
  const isUpcoming = (a: NamedAppointment) => a.status === 'scheduled' && Date.parse(a.end_time_utc) > now;
  const upcoming = list.filter(isUpcoming).sort((a, b) => Date.parse(a.start_time_utc) - Date.parse(b.start_time_utc));
  const earlier = list.filter((a) => !isUpcoming(a)).sort((a, b) => Date.parse(b.start_time_utc) - Date.parse(a.start_time_utc));
  return { upcoming, earlier };
}

export function InboxScreen() {
  const { query } = useLocation();
  const { session } = useSession();
  const role = session.user.role;
  const selectedId = Number(query.get('appointment')) || null;
  const counts = useUnread();
  const [onlyUnread, setOnlyUnread] = useState(false);
  const filterId = useId();

  const list = useAsync(loadAppointments, []);
  useLiveEvents(
    (event) => {
      if (event.type === 'appointment') list.setData((old) => upsert(old ?? [], event.appointment));
    },
    [list.setData],
  );
  // Appointments booked or changed while the connection was down were not pushed: fetch again,
  // quietly (the list stays on screen meanwhile).
  useReconnect(() => {
    loadAppointments()
      .then((fresh) => list.setData(fresh))
      .catch(() => undefined);
  }, [list.setData]);

  const listed = list.data?.find((a) => a.id === selectedId);
  const single = useAsync(
    async (signal) =>
      selectedId !== null && list.data !== undefined && !listed
        ? api.get<NamedAppointment>(`/appointments/${selectedId}`, undefined, signal)
        : null,
    [selectedId, list.data !== undefined, Boolean(listed)],
  );
  const selected = listed ?? single.data ?? null;
  const total = counts.total();

  const { upcoming, earlier } = arrange(list.data ?? [], Date.now());
  const keep = (a: NamedAppointment) => !onlyUnread || counts.forAppointment(a.id) > 0 || a.id === selectedId;
  const groups = [
    { title: 'Upcoming appointments', items: upcoming.filter(keep) },
    { title: 'Earlier appointments', items: earlier.filter(keep) },
  ].filter((g) => g.items.length > 0);

  return (
    <div class={`chat-inbox${selectedId !== null ? ' chat-inbox--open' : ''}`}>
      <PageHeader title="Messages">
        {total > 0 && <span class="meta">{total === 1 ? '1 unread message' : `${total} unread messages`}</span>}
      </PageHeader>
      <div class="chat-inbox-panes">
        <nav class="chat-inbox-list" aria-label="Conversations">
          {role !== 'admin' && (
            <div class="chat-filter">
              <input id={filterId} type="checkbox" checked={onlyUnread} onChange={(e) => setOnlyUnread(e.currentTarget.checked)} />
              <label for={filterId}>Only conversations with unread messages</label>
            </div>
          )}
          {list.loading && !list.data ? (
            <Loading label="Loading your conversations…" />
          ) : list.error ? (
            <ErrorNotice error={list.error} />
          ) : groups.length === 0 ? (
            <Empty>
              {onlyUnread
                ? 'Nothing unread. You are all caught up.'
                : 'No conversations yet: each appointment has one, and you have no appointments.'}
            </Empty>
          ) : (
            groups.map((g) => (
              <section key={g.title} class="chat-inbox-group">
                <h2>{g.title}</h2>
                <ul class="chat-inbox-items">
                  {g.items.map((a) => (
                    <InboxItem key={a.id} appointment={a} role={role} unread={counts.forAppointment(a.id)} current={a.id === selectedId} />
                  ))}
                </ul>
              </section>
            ))
          )}
        </nav>
        <div class="chat-inbox-thread">
          {selectedId !== null && (
            <p class="chat-back">
              <a href={href('/messages')}>← All conversations</a>
            </p>
          )}
          {selected ? (
            <ChatThread appointment={selected} />
          ) : selectedId !== null && (list.loading || single.loading) ? (
            <Loading label="Opening the conversation…" />
          ) : selectedId !== null ? (
            single.error ? <ErrorNotice error={single.error} /> : <Empty>This conversation could not be found.</Empty>
          ) : (
            <Empty>Choose a conversation to read and answer it.</Empty>
          )}
        </div>
      </div>
    </div>
  );
}

function loadAppointments(): Promise<NamedAppointment[]> {
  return fetchAll<NamedAppointment>('/appointments');
}

function InboxItem({
  appointment,
  role,
  unread,
  current,
}: {
  appointment: NamedAppointment;
  role: Role;
  unread: number;
  current: boolean;
}) {
  const zone = zoneOf(appointment);
  const start = appointment.start_time_utc;
  return (
    <li>
      <a
        class={`chat-inbox-item${unread > 0 ? ' chat-inbox-item--unread' : ''}`}
        href={href('/messages', { appointment: appointment.id })}
        aria-current={current ? 'page' : undefined}
      >
        <span class="chat-inbox-name">
          {counterpartLabel(appointment, role)}
          {unread > 0 && (
            <span class="badge badge--unread">
              {unread}
              <span class="visually-hidden"> unread</span>
            </span>
          )}
        </span>
        <span class="meta">
          {formatDateTime(start, zone)} {zoneAbbreviation(start, zone)}
          {appointment.location ? ` · ${appointment.location.name}` : ''}
        </span>
        <span class="chat-inbox-status">
          <StatusBadge status={appointment.status} />
          {role === 'patient' && appointment.doctor && <span class="meta">{appointment.doctor.specialization}</span>}
        </span>
      </a>
    </li>
  );
}
