// The one way the UI talks to clinicd: JSON over fetch with the session cookie (never a token in
// script-reachable storage), problem+json errors turned into ApiError, and an Idempotency-Key on
// creates so that a double click or a retry is one write.

export interface FieldError {
  field: string;
  message: string;
}

/** A failed request: the server's problem+json (RFC 9457), or a network failure (status 0). */
export class ApiError extends Error {
  readonly status: number;
  readonly title: string;
  readonly errors: FieldError[];

  constructor(status: number, title: string, detail: string, errors: FieldError[] = []) {
    super(detail || title);
    this.status = status;
    this.title = title;
    this.errors = errors;
  }

  /** The message for one field (`email`, `weekly[2].start`), if the server named it. */
  forField(field: string): string | undefined {
    return this.errors.find((e) => e.field === field)?.message;
  }
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export type Query = Record<string, string | number | boolean | undefined | null>;

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  idempotencyKey?: string;
  accept?: string;
  signal?: AbortSignal;
}

/** Listeners told when any request answers 401, so the shell can show the login screen. */
const unauthenticatedListeners = new Set<() => void>();
export function onUnauthenticated(listener: () => void): () => void {
  unauthenticatedListeners.add(listener);
  return () => unauthenticatedListeners.delete(listener);
}

export function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

async function problemOf(response: Response): Promise<ApiError> {
  const type = response.headers.get('Content-Type') ?? '';
  if (type.includes('json')) {
    try {
      const p = (await response.json()) as {
        title?: string;
        detail?: string;
        errors?: FieldError[];
      };
      return new ApiError(
        response.status,
        p.title ?? response.statusText,
        p.detail ?? '',
        Array.isArray(p.errors) ? p.errors : [],
      );
    } catch {
      // fall through to the generic answer below
    }
  }
  return new ApiError(response.status, response.statusText, `The server answered ${response.status}.`);
}

/**
 * Answers to GETs sent before the screen that needs them rendered (`prefetch`), by URL. The
 * screen's own identical GET takes its answer over, once, instead of asking again; an answer not
 * taken within a few seconds is dropped, so that a later GET asks the server afresh.
 */
const earlyAnswers = new Map<string, Promise<unknown>>();
/** How long an answer asked for early is fresh enough to be taken over. */
export const EARLY_ANSWER_MS = 5000;

/** Sends a GET now, for the first identical `api.get` soon after to take over. */
export function prefetch<T>(path: string, query?: Query): Promise<T> {
  const url = withQuery(path, query);
  const pending = earlyAnswers.get(url);
  if (pending) return pending as Promise<T>;
  const answer = send<T>('GET', path, { query });
  // Whoever takes the answer over sees its failure; an answer nobody takes is not an error.
  answer.catch(() => undefined);
  earlyAnswers.set(url, answer);
  setTimeout(() => {
    if (earlyAnswers.get(url) === answer) earlyAnswers.delete(url);
  }, EARLY_ANSWER_MS);
  return answer;
}

export function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  if (method === 'GET' && options.accept === undefined) {
    const url = withQuery(path, options.query);
    const early = earlyAnswers.get(url);
    if (early) {
      earlyAnswers.delete(url);
      return early as Promise<T>;
    }
  }
  return send<T>(method, path, options);
}

async function send<T>(method: string, path: string, options: RequestOptions): Promise<T> {
  const headers: Record<string, string> = { Accept: options.accept ?? 'application/json' };
  let body: string | undefined;
  if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  if (options.idempotencyKey) headers['Idempotency-Key'] = options.idempotencyKey;
  let response: Response;
  try {
    response = await fetch(withQuery(`/api/v1${path}`, options.query), {
      method,
      headers,
      body,
      credentials: 'same-origin',
      signal: options.signal,
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError(0, 'Offline', 'The server could not be reached. Check the connection and try again.');
  }
  if (!response.ok) {
    const problem = await problemOf(response);
    if (response.status === 401 && path !== '/auth/login') unauthenticatedListeners.forEach((l) => l());
    throw problem;
  }
  if (response.status === 204) return undefined as T;
  const type = response.headers.get('Content-Type') ?? '';
  if (type.includes('json')) return (await response.json()) as T;
  return (await response.text()) as T;
}

export const api = {
  get: <T>(path: string, query?: Query, signal?: AbortSignal) => request<T>('GET', path, { query, signal }),
  post: <T>(path: string, body?: unknown, idempotencyKey?: string) =>
    request<T>('POST', path, { body: body ?? {}, idempotencyKey }),
  put: <T>(path: string, body: unknown) => request<T>('PUT', path, { body }),
  patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, { body }),
  del: <T>(path: string) => request<T>('DELETE', path),
};

/** Every page of a list, following `next_cursor` (at most `maxPages` pages of 200). */
export async function fetchAll<T>(path: string, query: Query = {}, maxPages = 20): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < maxPages; page++) {
    const answer: Page<T> = await api.get<Page<T>>(path, { ...query, limit: 200, cursor });
    items.push(...answer.items);
    cursor = answer.next_cursor;
    if (!cursor) break;
  }
  return items;
}

/** A fresh key for one user intention (one form submission), reused by its retries. */
export function newIdempotencyKey(): string {
  return crypto.randomUUID();
}

/** Uploads a file's raw bytes with progress (fetch has no upload progress; XHR does). */
export function uploadFile<T>(
  path: string,
  file: Blob,
  onProgress: (fraction: number) => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/v1${path}`);
    xhr.setRequestHeader('Content-Type', file.type || 'application/octet-stream');
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onerror = () => reject(new ApiError(0, 'Offline', 'The upload could not reach the server.'));
    xhr.onload = () => {
      let parsed: unknown = null;
      try {
        parsed = JSON.parse(xhr.responseText);
      } catch {
        parsed = null;
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1);
        resolve(parsed as T);
        return;
      }
      const p = (parsed ?? {}) as { title?: string; detail?: string; errors?: FieldError[] };
      reject(new ApiError(xhr.status, p.title ?? 'Upload failed', p.detail ?? '', p.errors ?? []));
    };
    xhr.send(file);
  });
}

/** A human sentence for any error thrown by the calls above. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 0) return error.message;
    const fields = error.errors.map((e) => `${e.field}: ${e.message}`).join('; ');
    return fields ? `${error.message} (${fields})` : error.message;
  }
  if (error instanceof Error) return error.message;
  return 'Something went wrong.';
}
