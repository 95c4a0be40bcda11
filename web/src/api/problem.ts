// The problem documents (RFC 9457) every API error carries, as one error class the pages catch.
import type { components } from './schema';

export type ProblemDoc = components['schemas']['Problem'];

/** One itemised problem: a field, a CSV row, a file and line. */
export interface ProblemItem {
  row?: number;
  column?: string | null;
  field?: string | null;
  code: string;
  message?: string;
  [extra: string]: unknown;
}

/** Codes the client itself produces when there is no problem document to read. */
export const CLIENT_CODES = ['network_error', 'http_error', 'bad_response'] as const;

export class ApiProblem extends Error {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly detail: string | null;
  readonly errors: ProblemItem[];
  /** Seconds from the Retry-After header (rate limits), when the server sent one. */
  readonly retryAfter: number | null;

  constructor(init: {
    status: number;
    code: string;
    title?: string;
    detail?: string | null;
    errors?: ProblemItem[] | null;
    retryAfter?: number | null;
  }) {
    super(init.detail ?? init.title ?? init.code);
    this.name = 'ApiProblem';
    this.status = init.status;
    this.code = init.code;
    this.title = init.title ?? '';
    this.detail = init.detail ?? null;
    this.errors = init.errors ?? [];
    this.retryAfter = init.retryAfter ?? null;
  }

  /** The request never got an answer (offline, DNS, connection reset). */
  get isNetwork(): boolean {
    return this.code === 'network_error';
  }
}

/** Reads Retry-After: delay-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return null;
  return Math.max(0, Math.ceil((at - now) / 1000));
}

/**
 * Itemised problems from a document's `errors` (or an import report's `problems`). Items that
 * carry a message but no code (a template's `{part, line, message}`) get the code `invalid`.
 */
export function problemItems(list: unknown): ProblemItem[] {
  if (!Array.isArray(list)) return [];
  return list.flatMap((i): ProblemItem[] => {
    if (typeof i !== 'object' || i === null) return [];
    const { code, message } = i as { code?: unknown; message?: unknown };
    if (typeof code === 'string') return [i as ProblemItem];
    return typeof message === 'string' ? [{ ...(i as object), code: 'invalid', message }] : [];
  });
}

function isProblemDoc(v: unknown): v is ProblemDoc {
  return typeof v === 'object' && v !== null && typeof (v as { code?: unknown }).code === 'string';
}

/**
 * Builds an ApiProblem from an error response and its already-read body (`body` is the parsed
 * JSON when it was JSON, else the text). Anything that is not a problem document (a proxy's HTML
 * error page, an empty body) still becomes an ApiProblem, with code `http_error`.
 */
export function problemFrom(response: Response, body: unknown): ApiProblem {
  const retryAfter = parseRetryAfter(response.headers.get('Retry-After'));
  if (isProblemDoc(body)) {
    return new ApiProblem({
      status: typeof body.status === 'number' ? body.status : response.status,
      code: body.code,
      title: body.title,
      detail: body.detail ?? null,
      errors: problemItems(body.errors),
      retryAfter,
    });
  }
  return new ApiProblem({
    status: response.status,
    code: 'http_error',
    title: response.statusText,
    detail: typeof body === 'string' && body && body.length < 300 ? body : null,
    retryAfter,
  });
}

/** Reads the body of an error response and turns it into an ApiProblem. */
export async function readProblem(response: Response): Promise<ApiProblem> {
  let text = '';
  try {
    text = await response.text();
  } catch {
    /* body already read or unreadable: keep the status */
  }
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    /* not JSON */
  }
  return problemFrom(response, body);
}

/** Any thrown value as an ApiProblem (fetch's TypeError means the network failed). */
export function toProblem(err: unknown): ApiProblem {
  if (err instanceof ApiProblem) return err;
  if (err instanceof DOMException && err.name === 'AbortError') {
    return new ApiProblem({ status: 0, code: 'network_error', detail: 'aborted' });
  }
  if (err instanceof TypeError) {
    return new ApiProblem({ status: 0, code: 'network_error', detail: err.message });
  }
  return new ApiProblem({ status: 0, code: 'bad_response', detail: err instanceof Error ? err.message : String(err) });
}
