// Writing a message: Markdown with a preview rendered by the server (the only HTML ever shown),
// tags, files uploaded as soon as they are chosen (with progress), and a send that is safe to
// retry because each message carries one `client_msg_id` until it is stored.
import { useEffect, useId, useRef, useState } from 'preact/hooks';
import { api, ApiError, newIdempotencyKey, uploadFile } from '../lib/api';
import { useAction, useAsync } from '../lib/hooks';
import type { Attachment, Message } from '../lib/types';
import { Button, ErrorNotice, Field, Loading, TextArea } from '../components/ui';
import { formatBytes, parseTags } from './model';

interface Upload {
  key: string;
  name: string;
  size: number;
  progress: number;
  attachment: Attachment | null;
  error: string | null;
}

const acceptedTypes = '.pdf,.png,.jpg,.jpeg,.txt,application/pdf,image/png,image/jpeg,text/plain';

/** The server's field errors under `prefix` (`tags[2]`), renamed to `prefix` for one field to show. */
function errorsUnder(error: unknown, prefix: string): ApiError | undefined {
  if (!(error instanceof ApiError)) return undefined;
  const mine = error.errors.filter((e) => e.field === prefix || e.field.startsWith(`${prefix}[`));
  if (!mine.length) return undefined;
  return new ApiError(error.status, error.title, error.message, [
    { field: prefix, message: mine.map((e) => e.message).join(' ') },
  ]);
}

/** Whether every field error of `error` already shows next to one of the composer's fields. */
function shownBesideFields(error: unknown): boolean {
  if (!(error instanceof ApiError) || error.errors.length === 0) return false;
  return error.errors.every((e) => /^(markdown|tags|attachments)(\[|$)/.test(e.field));
}

function uploadProblem(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 415) return 'Only PDF, PNG, JPEG and plain text files can be attached.';
    if (error.status === 413) return 'This file is larger than the clinic accepts.';
    return error.message;
  }
  return 'The upload failed.';
}

export function Composer({ appointmentId, onSent }: { appointmentId: number; onSent: (message: Message) => void }) {
  const [mode, setMode] = useState<'write' | 'preview'>('write');
  const [markdown, setMarkdown] = useState('');
  const [tagsText, setTagsText] = useState('');
  const [uploads, setUploads] = useState<Upload[]>([]);
  const [problem, setProblem] = useState<string | null>(null);
  // One id per message being composed, kept across retries of the same draft so that a post
  // whose answer was lost is stored once; a changed draft is a new message and gets a new id.
  const clientMsgId = useRef<string | null>(null);
  const textAreaWrap = useRef<HTMLDivElement>(null);
  const refocus = useRef(false);
  const fileInputId = useId();
  const modeGroupId = useId();

  const draftChanged = () => {
    clientMsgId.current = null;
    setProblem(null);
  };

  // Rendered only while the preview is shown (the text cannot change meanwhile: it is hidden).
  const previewSource = mode === 'preview' ? markdown.trim() : '';
  const preview = useAsync<string | null>(async () => {
    if (!previewSource) return null;
    const answer = await api.post<{ html: string }>('/messages/preview', { markdown: previewSource });
    return answer.html;
  }, [previewSource]);

  const updateUpload = (key: string, change: Partial<Upload>) =>
    setUploads((list) => list.map((u) => (u.key === key ? { ...u, ...change } : u)));

  const attachFiles = (files: FileList | null) => {
    if (!files) return;
    draftChanged();
    for (const file of Array.from(files)) {
      const key = newIdempotencyKey();
      setUploads((list) => [...list, { key, name: file.name, size: file.size, progress: 0, attachment: null, error: null }]);
      // A file the browser cannot type is declared as text; the server detects the real type
      // from the bytes and refuses anything it does not accept.
      const body = file.type ? file : new Blob([file], { type: 'text/plain' });
      uploadFile<Attachment>(`/attachments?file_name=${encodeURIComponent(file.name)}`, body, (fraction) =>
        updateUpload(key, { progress: fraction }),
      )
        .then((attachment) => updateUpload(key, { attachment, progress: 1 }))
        .catch((error: unknown) => updateUpload(key, { error: uploadProblem(error) }));
    }
  };

  const removeUpload = (key: string) => {
    draftChanged();
    setUploads((list) => list.filter((u) => u.key !== key));
  };

  const send = useAction(async () => {
    const text = markdown.trim();
    const ready = uploads.flatMap((u) => (u.attachment ? [u.attachment.file_id] : []));
    if (uploads.some((u) => !u.attachment && !u.error)) {
      setProblem('Wait until the files have finished uploading.');
      return;
    }
    if (uploads.some((u) => u.error)) {
      setProblem('Remove the files that could not be uploaded, or choose them again.');
      return;
    }
    if (!text && !ready.length) {
      setProblem('Write a message or attach a file first.');
      return;
    }
    setProblem(null);
    clientMsgId.current ??= newIdempotencyKey();
    const sentTagsText = tagsText;
    const tags = parseTags(sentTagsText);
    const message = await api.post<Message>(`/appointments/${appointmentId}/messages`, {
      client_msg_id: clientMsgId.current,
      ...(text ? { markdown: text } : {}),
      ...(tags.length ? { tags } : {}),
      ...(ready.length ? { attachments: ready } : {}),
    });
    // Only what was sent leaves the composer: what was typed or attached while the message was
    // on its way stays for the next one.
    clientMsgId.current = null;
    setMarkdown((current) => (current.trim() === text ? '' : current));
    setTagsText((current) => (current === sentTagsText ? '' : current));
    setUploads((list) => list.filter((u) => !u.attachment || !ready.includes(u.attachment.file_id)));
    setMode('write');
    refocus.current = true;
    onSent(message);
  });

  // After a send, the cursor goes back to the (emptied) text for the next message.
  useEffect(() => {
    if (!refocus.current) return;
    refocus.current = false;
    textAreaWrap.current?.querySelector('textarea')?.focus();
  });

  const submit = (event: Event) => {
    event.preventDefault();
    void send.run();
  };

  const uploading = uploads.some((u) => !u.attachment && !u.error);
  const tags = parseTags(tagsText);
  const attachmentsError = errorsUnder(send.error, 'attachments');

  return (
    <form class="chat-composer" onSubmit={submit} aria-label="New message" noValidate>
      <div class="row row--between">
        <div class="chat-mode" role="group" aria-labelledby={modeGroupId}>
          <span id={modeGroupId} class="visually-hidden">
            Composer view
          </span>
          <button type="button" class="chat-mode-button" aria-pressed={mode === 'write' ? 'true' : 'false'} onClick={() => setMode('write')}>
            Write
          </button>
          <button type="button" class="chat-mode-button" aria-pressed={mode === 'preview' ? 'true' : 'false'} onClick={() => setMode('preview')}>
            Preview
          </button>
        </div>
      </div>

      {mode === 'write' ? (
        <div ref={textAreaWrap}>
          <TextArea
            label="Message"
            name="markdown"
            value={markdown}
            error={send.error}
            hint="Markdown works: **bold**, _italic_, lists, links. Ctrl+Enter sends."
            rows={4}
            maxLength={8000}
            onInput={(e) => {
              draftChanged();
              setMarkdown(e.currentTarget.value);
            }}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
                e.preventDefault();
                void send.run();
              }
            }}
          />
        </div>
      ) : (
        <section class="chat-preview" aria-label="Preview">
          {preview.loading ? (
            <Loading label="Rendering the preview…" />
          ) : preview.error ? (
            <ErrorNotice error={preview.error} />
          ) : preview.data ? (
            <div class="markdown" dangerouslySetInnerHTML={{ __html: preview.data }} />
          ) : (
            <p class="empty">Nothing to preview yet: write a message first.</p>
          )}
        </section>
      )}

      <Field
        label="Tags (optional)"
        name="tags"
        value={tagsText}
        error={errorsUnder(send.error, 'tags')}
        hint="Words separated by spaces or commas: letters, digits and dashes."
        autoComplete="off"
        onInput={(e) => {
          draftChanged();
          setTagsText(e.currentTarget.value);
        }}
      />
      {tags.length > 0 && (
        <ul class="chips" aria-label="Tags to add">
          {tags.map((t) => (
            <li key={t} class="chip">
              {t}
            </li>
          ))}
        </ul>
      )}

      <div class="field">
        <label for={fileInputId}>Attach files (PDF, PNG, JPEG or text)</label>
        <input
          id={fileInputId}
          type="file"
          multiple
          accept={acceptedTypes}
          onChange={(e) => {
            attachFiles(e.currentTarget.files);
            e.currentTarget.value = '';
          }}
        />
      </div>
      {uploads.length > 0 && (
        <ul class="chat-uploads" aria-label="Files to send">
          {uploads.map((u) => (
            <UploadRow key={u.key} upload={u} onRemove={() => removeUpload(u.key)} />
          ))}
        </ul>
      )}
      {attachmentsError && (
        <p class="field-error" role="alert">
          {attachmentsError.forField('attachments')}
        </p>
      )}

      {problem && (
        <p class="notice notice--warning" role="alert">
          {problem}
        </p>
      )}
      {!shownBesideFields(send.error) && <ErrorNotice error={send.error} />}
      <div class="row">
        <Button type="submit" busy={send.busy} disabled={uploading}>
          {send.busy ? 'Sending…' : 'Send'}
        </Button>
        {uploading && <span class="meta">Uploading files…</span>}
      </div>
    </form>
  );
}

function UploadRow({ upload, onRemove }: { upload: Upload; onRemove: () => void }) {
  const progressId = useId();
  const state = upload.attachment ? `${upload.name}: uploaded, ready to send` : `${upload.name}: uploading…`;
  return (
    <li class="chat-upload">
      <div class="row row--between">
        <span>
          <strong>{upload.attachment?.file_name ?? upload.name}</strong>{' '}
          <span class="meta">{formatBytes(upload.attachment?.size_bytes ?? upload.size)}</span>
        </span>
        <Button variant="link" onClick={onRemove} aria-label={`Remove ${upload.name}`}>
          Remove
        </Button>
      </div>
      {upload.error ? (
        <p class="field-error" role="alert">
          {upload.error}
        </p>
      ) : (
        <div class="chat-progress">
          <label for={progressId} id={`${progressId}-label`} class="meta">
            {state}
          </label>
          <progress id={progressId} aria-labelledby={`${progressId}-label`} max={1} value={upload.progress}>
            {Math.round(upload.progress * 100)}%
          </progress>
        </div>
      )}
    </li>
  );
}
