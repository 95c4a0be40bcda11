// The API client's logic against a fake fetch: the token on every request, one refresh and one
// retry on `token_expired`, single-flight refreshes, and problem+json parsing.
import { describe, expect, it, vi } from 'vitest';
import { Auth, call, createApi, type TokenResponse } from '../src/api/http';
import { ApiProblem, parseRetryAfter, problemItems, toProblem } from '../src/api/problem';
import { isStaffAttempt, type AnyAttemptView } from '../src/api/views';

const BASE = 'http://lentera.test';

const user = {
  id: '01a21ef1-8609-7285-99a6-70a993ad28d8',
  name: 'Admin',
  email: 'admin@batanghari.go.id',
  jabatan: '',
  language: 'id',
  active: true,
  roles: [{ role: 'admin' }],
  created_at: '2026-11-27T21:23:00',
};

function token(access: string): TokenResponse {
  return { access_token: access, token_type: 'Bearer', expires_in: 900, user };
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': status >= 400 ? 'application/problem+json' : 'application/json', ...headers },
  });
}

function problem(status: number, code: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}): Response {
  return json(status, { type: `/problems/${code}`, title: 'x', status, code, detail: `detail of ${code}`, ...extra }, headers);
}

interface Seen {
  method: string;
  path: string;
  auth: string | null;
  body: string;
}

/** A fake server: `route` answers each request; every request is recorded. */
function fakeFetch(route: (req: Request, seen: Seen, n: number) => Response | Promise<Response>) {
  const seen: Seen[] = [];
  const fetch = vi.fn(async (input: Request) => {
    const req = input;
    const s: Seen = {
      method: req.method,
      path: new URL(req.url).pathname,
      auth: req.headers.get('Authorization'),
      body: req.body ? await req.clone().text() : '',
    };
    seen.push(s);
    return route(req, s, seen.length);
  });
  return { fetch, seen };
}

describe('Auth.fetch: refresh once on token_expired, then retry', () => {
  it('refreshes with the cookie, retries with the new token and keeps the body', async () => {
    const { fetch, seen } = fakeFetch((_req, s) => {
      if (s.path === '/api/v1/auth/refresh') return json(200, token('new'));
      if (s.auth === 'Bearer old') return problem(401, 'token_expired');
      return json(200, { ...user, language: 'en' });
    });
    const onToken = vi.fn();
    const auth = new Auth({ baseUrl: BASE, fetch, onToken });
    auth.accept(token('old'));
    const api = createApi(auth, BASE);

    const me = await call(api.PATCH('/api/v1/me', { body: { language: 'en' } }));

    expect(me.language).toBe('en');
    expect(seen.map((s) => `${s.method} ${s.path} ${s.auth ?? '-'}`)).toEqual([
      'PATCH /api/v1/me Bearer old',
      'POST /api/v1/auth/refresh -',
      'PATCH /api/v1/me Bearer new',
    ]);
    expect(seen[2].body).toBe('{"language":"en"}');
    expect(auth.token).toBe('new');
    expect(onToken).toHaveBeenCalledOnce();
  });

  it('does not refresh twice when the retry is refused again', async () => {
    const { fetch, seen } = fakeFetch((_req, s) =>
      s.path === '/api/v1/auth/refresh' ? json(200, token('new')) : problem(401, 'token_expired'),
    );
    const auth = new Auth({ baseUrl: BASE, fetch });
    auth.accept(token('old'));
    const api = createApi(auth, BASE);

    const err = await call(api.GET('/api/v1/me')).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(ApiProblem);
    expect((err as ApiProblem).code).toBe('token_expired');
    expect(seen.filter((s) => s.path === '/api/v1/auth/refresh')).toHaveLength(1);
    expect(seen).toHaveLength(3);
  });

  it('shares one refresh between concurrent requests', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { fetch, seen } = fakeFetch(async (_req, s) => {
      if (s.path === '/api/v1/auth/refresh') {
        await gate;
        return json(200, token('new'));
      }
      if (s.auth === 'Bearer old') return problem(401, 'token_expired');
      return json(200, user);
    });
    const auth = new Auth({ baseUrl: BASE, fetch });
    auth.accept(token('old'));
    const api = createApi(auth, BASE);

    const calls = [call(api.GET('/api/v1/me')), call(api.GET('/api/v1/me')), call(api.GET('/api/v1/opds'))];
    await new Promise((r) => setTimeout(r, 10));
    release();
    await Promise.all(calls);

    expect(seen.filter((s) => s.path === '/api/v1/auth/refresh')).toHaveLength(1);
    expect(seen.filter((s) => s.auth === 'Bearer new')).toHaveLength(3);
  });

  it('serialises refreshes through the lock manager when there is one', async () => {
    const names: string[] = [];
    const locks = {
      async request<T>(name: string, cb: () => Promise<T>): Promise<T> {
        names.push(name);
        return cb();
      },
    };
    const { fetch } = fakeFetch(() => json(200, token('t1')));
    const auth = new Auth({ baseUrl: BASE, fetch, locks });
    await auth.refresh();
    expect(names).toEqual(['lentera-auth-refresh']);
    expect(auth.token).toBe('t1');
  });

  it('ends the session when the refresh is refused, without retrying', async () => {
    const { fetch, seen } = fakeFetch((_req, s) =>
      s.path === '/api/v1/auth/refresh' ? problem(401, 'refresh_reused') : problem(401, 'token_expired'),
    );
    const onSessionEnded = vi.fn();
    const auth = new Auth({ baseUrl: BASE, fetch, onSessionEnded });
    auth.accept(token('old'));
    const api = createApi(auth, BASE);

    const err = (await call(api.GET('/api/v1/me')).catch((e: unknown) => e)) as ApiProblem;

    expect(err.code).toBe('refresh_reused');
    expect(onSessionEnded).toHaveBeenCalledWith(expect.objectContaining({ code: 'refresh_reused' }));
    expect(seen).toHaveLength(2);
    expect(auth.token).toBeNull();
  });

  it('does not refresh on other 401s; a revoked session ends', async () => {
    const { fetch, seen } = fakeFetch(() => problem(401, 'session_revoked'));
    const onSessionEnded = vi.fn();
    const auth = new Auth({ baseUrl: BASE, fetch, onSessionEnded });
    auth.accept(token('old'));
    const api = createApi(auth, BASE);

    const err = (await call(api.GET('/api/v1/me')).catch((e: unknown) => e)) as ApiProblem;

    expect(err.code).toBe('session_revoked');
    expect(seen).toHaveLength(1);
    expect(onSessionEnded).toHaveBeenCalledOnce();
  });

  it('never refreshes for a failed login', async () => {
    const { fetch, seen } = fakeFetch(() => problem(401, 'invalid_credentials'));
    const onSessionEnded = vi.fn();
    const auth = new Auth({ baseUrl: BASE, fetch, onSessionEnded });
    const api = createApi(auth, BASE);

    const err = (await call(api.POST('/api/v1/auth/login', { body: { login: 'x', password: 'y', use_cookie: true } })).catch(
      (e: unknown) => e,
    )) as ApiProblem;

    expect(err.code).toBe('invalid_credentials');
    expect(seen).toHaveLength(1);
    expect(onSessionEnded).not.toHaveBeenCalled();
  });

  it('keeps the session when the refresh fails for lack of network', async () => {
    const { fetch } = fakeFetch((_req, s) => {
      if (s.path === '/api/v1/auth/refresh') throw new TypeError('Failed to fetch');
      return problem(401, 'token_expired');
    });
    const onSessionEnded = vi.fn();
    const auth = new Auth({ baseUrl: BASE, fetch, onSessionEnded });
    auth.accept(token('old'));
    const api = createApi(auth, BASE);

    const err = (await call(api.GET('/api/v1/me')).catch((e: unknown) => e)) as ApiProblem;

    expect(err.code).toBe('network_error');
    expect(onSessionEnded).not.toHaveBeenCalled();
  });
});

describe('problem+json parsing', () => {
  function client(res: () => Response | Promise<Response>) {
    const auth = new Auth({ baseUrl: BASE, fetch: async () => res() });
    auth.accept(token('t'));
    return createApi(auth, BASE);
  }

  it('reads code, detail and itemised errors', async () => {
    const api = client(() =>
      problem(422, 'csv_invalid', {
        errors: [
          { row: 3, column: 'nip', code: 'nip_length', message: 'NIP must be exactly 18 digits' },
          { row: 4, column: 'email', code: 'invalid_email', message: 'not a valid e-mail address' },
        ],
      }),
    );
    const err = (await call(
      api.POST('/api/v1/users/import', { body: 'x', bodySerializer: (b: string) => b, headers: { 'Content-Type': 'text/csv' } }),
    ).catch((e: unknown) => e)) as ApiProblem;

    expect(err).toBeInstanceOf(ApiProblem);
    expect(err.status).toBe(422);
    expect(err.code).toBe('csv_invalid');
    expect(err.detail).toBe('detail of csv_invalid');
    expect(err.errors.map((e) => [e.row, e.column, e.code])).toEqual([
      [3, 'nip', 'nip_length'],
      [4, 'email', 'invalid_email'],
    ]);
  });

  it('keeps itemised errors that carry a message but no code (template parts)', () => {
    expect(problemItems([{ part: 'subject', line: 1, message: 'undefined value' }, { nothing: true }, 'text'])).toEqual([
      { part: 'subject', line: 1, message: 'undefined value', code: 'invalid' },
    ]);
  });

  it('reads Retry-After of a rate limit', async () => {
    const api = client(() => problem(429, 'rate_limited', {}, { 'Retry-After': '42' }));
    const err = (await call(api.POST('/api/v1/auth/login', { body: { login: 'a', password: 'b' } })).catch((e: unknown) => e)) as ApiProblem;
    expect(err.code).toBe('rate_limited');
    expect(err.retryAfter).toBe(42);
  });

  it('turns a non-problem error page into http_error with its status', async () => {
    const api = client(() => new Response('<html>Bad gateway</html>', { status: 502, headers: { 'Content-Type': 'text/html' } }));
    const err = (await call(api.GET('/api/v1/opds')).catch((e: unknown) => e)) as ApiProblem;
    expect(err.code).toBe('http_error');
    expect(err.status).toBe(502);
  });

  it('turns a network failure into network_error', async () => {
    const api = client(() => {
      throw new TypeError('Failed to fetch');
    });
    const err = (await call(api.GET('/api/v1/opds')).catch((e: unknown) => e)) as ApiProblem;
    expect(err.code).toBe('network_error');
    expect(err.isNetwork).toBe(true);
  });

  it('returns the data of a success and undefined for 204', async () => {
    const ok = client(() => json(200, [{ id: '1', name: 'Dinas Kesehatan' }]));
    expect(await call(ok.GET('/api/v1/opds'))).toEqual([{ id: '1', name: 'Dinas Kesehatan' }]);
    const empty = client(() => new Response(null, { status: 204 }));
    expect(await call(empty.POST('/api/v1/users/{id}/deactivate', { params: { path: { id: '1' } } }))).toBeUndefined();
  });

  it('parses Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('7')).toBe(7);
    expect(parseRetryAfter(new Date(Date.UTC(2030, 0, 1, 0, 0, 30)).toUTCString(), Date.UTC(2030, 0, 1))).toBe(30);
    expect(parseRetryAfter(null)).toBeNull();
    expect(parseRetryAfter('soon')).toBeNull();
    expect(toProblem(new Error('x')).code).toBe('bad_response');
  });
});

describe('GET /attempts/{id}: the learner view and the staff record told apart', () => {
  const common = { id: 'a1', course_id: 'c1', quiz_id: 'q1', number: 1, started_at: '2026-11-29T00:00:00Z', state: 'submitted' as const };
  it('knows the staff record by its manual grades and learner id', () => {
    const staff = { ...common, user_id: 'u1', manual_grades: {}, needs_grading: false, questions: [], responses: {} };
    expect(isStaffAttempt(staff as AnyAttemptView)).toBe(true);
  });
  it('takes the learner view, which has neither, for what it is', () => {
    const learner = { ...common, quiz_title: 'Ujian', responses: {} };
    expect(isStaffAttempt(learner as AnyAttemptView)).toBe(false);
  });
});
