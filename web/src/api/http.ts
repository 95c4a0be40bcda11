// The typed API client: openapi-fetch over a fetch that carries the access token, refreshes it
// once when the server says `token_expired`, and retries the request.
//
// The access token lives only in this object's memory (never in storage). The refresh token is
// an HttpOnly cookie the browser sends to /api/v1/auth/refresh. Each refresh token works once
// and presenting a spent one ends the whole session, so refreshes are single-flight within a
// tab and serialised across tabs with the Web Locks API where the browser has it.
import createClient, { type Client } from 'openapi-fetch';
import { ApiProblem, problemFrom, readProblem, toProblem } from './problem';
import type { components, paths } from './schema';

export type TokenResponse = components['schemas']['TokenResponse'];
export type User = components['schemas']['UserView'];
export type Api = Client<paths>;

type FetchFn = (input: Request, init?: RequestInit) => Promise<Response>;

interface LockManagerLike {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>;
}

export interface AuthOptions {
  /** Origin of the API, e.g. `location.origin`. */
  baseUrl: string;
  /** The network (the real `fetch` in the browser, a fake one in tests). */
  fetch: FetchFn;
  /** `navigator.locks`, to serialise refreshes across tabs. */
  locks?: LockManagerLike | null;
  /** Called when a refresh gives a new token (to update the signed-in user). */
  onToken?: (t: TokenResponse) => void;
  /** Called when the session cannot go on (refresh refused, session revoked, account inactive). */
  onSessionEnded?: (p: ApiProblem) => void;
}

/** 401 codes after which only a new login helps. */
const SESSION_OVER = new Set(['session_revoked', 'account_inactive', 'refresh_invalid', 'refresh_reused', 'invalid_token']);

export const REFRESH_PATH = '/api/v1/auth/refresh';
export const LOGIN_PATH = '/api/v1/auth/login';

export class Auth {
  #token: string | null = null;
  #refreshing: Promise<TokenResponse> | null = null;
  readonly #opts: AuthOptions;

  constructor(opts: AuthOptions) {
    this.#opts = opts;
  }

  get token(): string | null {
    return this.#token;
  }

  /** Keeps the token of a login or refresh answer. */
  accept(t: TokenResponse): void {
    this.#token = t.access_token;
  }

  clear(): void {
    this.#token = null;
  }

  /**
   * Trades the refresh cookie for a new access token. Concurrent callers share one request; with
   * Web Locks, a refresh in another tab finishes before this one starts (and this one then
   * sends the cookie that tab received).
   */
  refresh(): Promise<TokenResponse> {
    if (!this.#refreshing) {
      const run = () => this.#refreshNow();
      const locks = this.#opts.locks;
      this.#refreshing = (locks ? locks.request('lentera-auth-refresh', run) : run()).finally(() => {
        this.#refreshing = null;
      });
    }
    return this.#refreshing;
  }

  async #refreshNow(): Promise<TokenResponse> {
    let response: Response;
    try {
      response = await this.#opts.fetch(
        new Request(this.#opts.baseUrl + REFRESH_PATH, { method: 'POST', credentials: 'same-origin' }),
      );
    } catch (err) {
      throw toProblem(err);
    }
    if (!response.ok) {
      const problem = await readProblem(response);
      this.#token = null;
      throw problem;
    }
    const body = (await response.json()) as TokenResponse;
    this.accept(body);
    this.#opts.onToken?.(body);
    return body;
  }

  #withToken(request: Request): Request {
    const headers = new Headers(request.headers);
    if (this.#token) headers.set('Authorization', `Bearer ${this.#token}`);
    return new Request(request, { headers });
  }

  /** The fetch openapi-fetch calls: token on, one refresh and one retry on `token_expired`. */
  readonly fetch: FetchFn = async (input, init) => {
    const original = new Request(input, init);
    const spare = original.clone();
    const sentWith = this.#token;
    const first = await this.#opts.fetch(this.#withToken(original));
    if (first.status !== 401 || original.url.endsWith(LOGIN_PATH) || original.url.endsWith(REFRESH_PATH)) return first;

    const problem = await readProblem(first.clone());
    if (problem.code === 'token_expired' || (problem.code === 'missing_token' && sentWith === null)) {
      try {
        // Another request may have refreshed meanwhile: then just retry with the new token.
        if (this.#token === sentWith) await this.refresh();
      } catch (err) {
        const p = toProblem(err);
        if (!p.isNetwork) this.#opts.onSessionEnded?.(p);
        throw p;
      }
      return this.#opts.fetch(this.#withToken(spare));
    }
    if (SESSION_OVER.has(problem.code)) {
      this.#token = null;
      this.#opts.onSessionEnded?.(problem);
    }
    return first;
  };
}

/** The typed client over an Auth's fetch. */
export function createApi(auth: Auth, baseUrl: string): Api {
  return createClient<paths>({ baseUrl, fetch: auth.fetch as unknown as typeof fetch });
}

type Result<T> = { data?: T; error?: unknown; response: Response };

/**
 * Awaits an openapi-fetch call and returns its data, or throws an ApiProblem (network failures
 * included), so pages handle every failure in one `catch`.
 */
export async function call<T>(request: Promise<Result<T>>): Promise<T> {
  let result: Result<T>;
  try {
    result = await request;
  } catch (err) {
    throw toProblem(err);
  }
  if (!result.response.ok) throw problemFrom(result.response, result.error);
  return result.data as T;
}

export { ApiProblem };
