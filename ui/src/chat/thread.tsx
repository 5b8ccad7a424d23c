// The conversation of one appointment, live: pages of history, new messages and read receipts
// pushed over the WebSocket, a reload merged by `_id` after each reconnect (so nothing is lost or
// shown twice), and the thread marked read while it is on screen.
import { useCallback, useEffect, useId, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, type Page } from '../lib/api';
import { useAction } from '../lib/hooks';
import { useLiveEvents, useReconnect } from '../lib/live';
import { useSession } from '../lib/session';
import type { Appointment, Message, Principal } from '../lib/types';
import { dateIn, formatDate, formatDateTime, formatTime, zoneAbbreviation, zoneCity } from '../lib/time';
import { Button, ErrorNotice, Loading, TextArea } from '../components/ui';
import { Composer } from './composer';
import {
  applyRead,
  counterpartLabel,
  formatBytes,
  hasUnread,
  isOwn,
  mergeMessages,
  readByCounterpart,
  roleLabel,
  zoneOf,
  type NamedAppointment,
} from './model';

const pageSize = 50;
/** The server lets authors edit a message this long after posting it. */
const editWindowMs = 15 * 60 * 1000;
/** How far from the bottom still counts as "reading the newest messages" (px). */
const followThreshold = 120;

/** The conversation of one appointment; another appointment starts afresh. */
export function ChatThread({ appointment }: { appointment: Appointment }) {
  return <Thread key={appointment.id} appointment={appointment} />;
}

function Thread({ appointment }: { appointment: Appointment }) {
  const named: NamedAppointment = appointment;
  const { session } = useSession();
  const me = session.user;
  const id = appointment.id;
  const zone = zoneOf(named);
  const headingId = useId();

  const [messages, setMessages] = useState<Message[]>([]);
  const [olderCursor, setOlderCursor] = useState<string | null>(null);
  const [loadState, setLoadState] = useState<'loading' | 'ready'>('loading');
  const [loadError, setLoadError] = useState<unknown>(undefined);
  const [olderBusy, setOlderBusy] = useState(false);
  const known = useRef<Message[]>([]);
  known.current = messages;
  const firstPageLoaded = useRef(false);

  const logRef = useRef<HTMLDivElement>(null);
  const following = useRef(true);
  const keepFromBottom = useRef<number | null>(null);

  const add = useCallback((incoming: Message[]) => setMessages((old) => mergeMessages(old, incoming)), []);

  // The first page, and after a reconnect the newest pages until one overlaps what is shown.
  const loadNewest = useCallback(
    async (signal?: AbortSignal) => {
      // Live messages may arrive before the first page does: "first" is about the load, not the list.
      const isFirst = !firstPageLoaded.current;
      const seen = new Set(known.current.map((m) => m._id));
      let before: string | null = null;
      const fetched: Message[] = [];
      for (let page = 0; page < 20; page++) {
        const answer: Page<Message> = await api.get<Page<Message>>(
          `/appointments/${id}/messages`,
          { limit: pageSize, before },
          signal,
        );
        fetched.push(...answer.items);
        before = answer.next_cursor;
        if (isFirst || !before || answer.items.some((m) => seen.has(m._id))) break;
      }
      if (signal?.aborted) return;
      if (isFirst) {
        firstPageLoaded.current = true;
        setOlderCursor(before);
      }
      add(fetched);
      setLoadError(undefined);
      setLoadState('ready');
    },
    [id, add],
  );

  useEffect(() => {
    const controller = new AbortController();
    loadNewest(controller.signal).catch((error: unknown) => {
      if (!controller.signal.aborted) {
        setLoadError(error);
        setLoadState('ready');
      }
    });
    return () => controller.abort();
  }, [loadNewest]);

  useReconnect(() => {
    loadNewest().catch((error: unknown) => setLoadError(error));
  }, [loadNewest]);

  useLiveEvents(
    (event) => {
      if (event.type === 'message' && event.appointment_id === id) add([event.message]);
      if (event.type === 'read' && event.appointment_id === id) {
        setMessages((old) => applyRead(old, event.user, event.up_to, event.read_at));
      }
    },
    [id, add],
  );

  const loadOlder = async () => {
    if (!olderCursor) return;
    setOlderBusy(true);
    try {
      const answer = await api.get<Page<Message>>(`/appointments/${id}/messages`, { limit: pageSize, before: olderCursor });
      const log = logRef.current;
      if (log) keepFromBottom.current = log.scrollHeight - log.scrollTop;
      setOlderCursor(answer.next_cursor);
      add(answer.items);
    } catch (error) {
      setLoadError(error);
    } finally {
      setOlderBusy(false);
    }
  };

  // Keep the newest message in view while the reader is at the bottom; keep the reader's place
  // when older messages are added above.
  useLayoutEffect(() => {
    const log = logRef.current;
    if (!log) return;
    if (keepFromBottom.current !== null) {
      log.scrollTop = log.scrollHeight - keepFromBottom.current;
      keepFromBottom.current = null;
    } else if (following.current) {
      log.scrollTop = log.scrollHeight;
    }
  }, [messages]);

  useMarkRead(id, me, messages, setMessages);

  const onSent = (message: Message) => {
    following.current = true;
    add([message]);
  };

  const days = groupByDay(messages, zone);
  const lastOwn = [...messages].reverse().find((m) => isOwn(m, me) && m.type !== 'system');
  const editableId =
    lastOwn && Date.now() - Date.parse(lastOwn.meta.created_at) < editWindowMs ? lastOwn._id : null;

  return (
    <section class="chat-thread card" aria-labelledby={headingId}>
      <header class="chat-header">
        <h2 id={headingId}>Messages with {counterpartLabel(named, me.role)}</h2>
        <p class="meta">
          About the appointment on {formatDateTime(appointment.start_time_utc, zone)}{' '}
          {zoneAbbreviation(appointment.start_time_utc, zone)}
          {named.location ? ` at ${named.location.name}` : ''}. Times are {zoneCity(zone)} time.
        </p>
      </header>

      <div
        class="chat-log"
        ref={logRef}
        role="log"
        aria-label="Conversation"
        tabIndex={0}
        onScroll={(e) => {
          const log = e.currentTarget;
          following.current = log.scrollHeight - log.scrollTop - log.clientHeight < followThreshold;
        }}
      >
        {olderCursor && (
          <div class="chat-older">
            <Button variant="secondary" busy={olderBusy} onClick={() => void loadOlder()}>
              Show earlier messages
            </Button>
          </div>
        )}
        {loadState === 'loading' ? (
          <Loading label="Loading the conversation…" />
        ) : messages.length === 0 && !loadError ? (
          <p class="empty">No messages yet. Write the first one below.</p>
        ) : (
          days.map((day) => (
            <section key={day.key} class="chat-day" aria-label={day.label}>
              <h3 class="chat-day-heading">{day.label}</h3>
              <ol class="chat-messages">
                {day.messages.map((m) => (
                  <MessageItem key={m._id} message={m} me={me} zone={zone} editable={m._id === editableId} onEdited={(edited) => add([edited])} />
                ))}
              </ol>
            </section>
          ))
        )}
      </div>
      <ErrorNotice error={loadError} />

      <Composer appointmentId={id} onSent={onSent} />
    </section>
  );
}

/**
 * Marks the thread read up to its newest message whenever it holds something unread while the
 * page is visible (on opening, as new messages arrive, and when the tab comes back into view).
 */
function useMarkRead(
  appointmentId: number,
  me: Principal,
  messages: Message[],
  setMessages: (update: (old: Message[]) => Message[]) => void,
) {
  const pendingUpTo = useRef<string | null>(null);
  useEffect(() => {
    // Admins look in on threads; their reading is not the participants' "read".
    if (me.role === 'admin') return;
    const mark = () => {
      const newest = messages[messages.length - 1];
      if (!newest || document.visibilityState !== 'visible' || !hasUnread(messages, me)) return;
      if (pendingUpTo.current === newest._id) return;
      pendingUpTo.current = newest._id;
      api
        .post<{ marked: number }>(`/appointments/${appointmentId}/messages/read`, { up_to: newest._id })
        .then(() => setMessages((old) => applyRead(old, me, newest._id, new Date().toISOString())))
        .catch(() => {
          // Not marked: the next change of the thread (a reconnect reloads it) tries again.
          pendingUpTo.current = null;
        });
    };
    mark();
    document.addEventListener('visibilitychange', mark);
    return () => document.removeEventListener('visibilitychange', mark);
  }, [appointmentId, me.role, me.id, messages]);
}

interface Day {
  key: string;
  label: string;
  messages: Message[];
}

function groupByDay(messages: Message[], zone: string): Day[] {
  const days: Day[] = [];
  for (const m of messages) {
    const key = dateIn(m.meta.created_at, zone).toString();
    let day = days[days.length - 1];
    if (!day || day.key !== key) {
      day = { key, label: formatDate(m.meta.created_at, zone), messages: [] };
      days.push(day);
    }
    day.messages.push(m);
  }
  return days;
}

function MessageItem({
  message,
  me,
  zone,
  editable,
  onEdited,
}: {
  message: Message;
  me: Principal;
  zone: string;
  editable: boolean;
  onEdited: (message: Message) => void;
}) {
  const [editing, setEditing] = useState(false);
  const time = (
    <time dateTime={message.meta.created_at}>
      {formatTime(message.meta.created_at, zone)} {zoneAbbreviation(message.meta.created_at, zone)}
    </time>
  );
  if (message.type === 'system' || message.author.role === 'system') {
    return (
      <li class="chat-message chat-message--system">
        <p>
          {message.text} <span class="meta">{time}</span>
        </p>
      </li>
    );
  }
  const own = isOwn(message, me);
  const edited = message.meta.version > 1;
  // An edit changes `text` only, so an edited message shows its text; otherwise the server's
  // rendering of the Markdown, when there is Markdown.
  const html = message.html !== null && !(edited && message.text) ? message.html : null;
  const readAt = own ? readByCounterpart(message) : null;
  return (
    <li class={`chat-message ${own ? 'chat-message--own' : 'chat-message--other'}`}>
      <div class="chat-bubble">
        <p class="chat-byline">
          <strong>{own ? 'You' : message.author.display_name}</strong>
          {!own && <span class="meta"> · {roleLabel(message.author.role)}</span>}
          <span class="meta"> · {time}</span>
          {edited && <span class="meta"> · edited</span>}
        </p>
        {editing ? (
          <EditForm
            message={message}
            onDone={(edited) => {
              setEditing(false);
              if (edited) onEdited(edited);
            }}
          />
        ) : html !== null ? (
          <div class="markdown chat-body" dangerouslySetInnerHTML={{ __html: html }} />
        ) : (
          message.text && <p class="chat-body chat-text">{message.text}</p>
        )}
        {message.attachments.length > 0 && (
          <ul class="chat-attachments" aria-label="Attachments">
            {message.attachments.map((a) => (
              <li key={a.file_id}>
                <a href={`/api/v1/attachments/${encodeURIComponent(a.file_id)}`} download={a.file_name}>
                  {a.file_name}
                </a>{' '}
                <span class="meta">({formatBytes(a.size_bytes)})</span>
              </li>
            ))}
          </ul>
        )}
        {message.tags.length > 0 && (
          <ul class="chips" aria-label="Tags">
            {message.tags.map((t) => (
              <li key={t} class="chip">
                {t}
              </li>
            ))}
          </ul>
        )}
      </div>
      {own && (
        <p class="chat-receipt meta">
          {editable && !editing && (
            <>
              <Button variant="link" onClick={() => setEditing(true)}>
                Edit<span class="visually-hidden"> your last message</span>
              </Button>{' '}
            </>
          )}
          {readAt ? (
            <span title={`Read ${formatDateTime(readAt, zone)} ${zoneAbbreviation(readAt, zone)}`}>Read</span>
          ) : (
            'Sent'
          )}
        </p>
      )}
    </li>
  );
}

/** Changing the text of one's last message (the server allows it for 15 minutes). */
function EditForm({ message, onDone }: { message: Message; onDone: (edited: Message | null) => void }) {
  const [text, setText] = useState(message.text ?? message.rich_text.markdown ?? '');
  const save = useAction(async () => {
    const edited = await api.patch<Message>(`/messages/${message._id}`, { text: text.trim(), version: message.meta.version });
    onDone(edited);
  });
  return (
    <form
      class="chat-edit"
      aria-label="Edit message"
      onSubmit={(e) => {
        e.preventDefault();
        void save.run();
      }}
    >
      <TextArea label="New text" name="text" value={text} error={save.error} rows={3} maxLength={4000} onInput={(e) => setText(e.currentTarget.value)} />
      {save.error instanceof ApiError && save.error.status === 409 && (
        <p class="notice notice--warning" role="alert">
          {save.error.message} The message was not changed.
        </p>
      )}
      {!(save.error instanceof ApiError && (save.error.status === 409 || save.error.forField('text'))) && <ErrorNotice error={save.error} />}
      <div class="row">
        <Button type="submit" busy={save.busy} disabled={!text.trim()}>
          Save
        </Button>
        <Button variant="secondary" onClick={() => onDone(null)}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
