// Who is signed in. The app's one Auth (access token in memory) and typed API client live here.
import { ApiProblem, Auth, call, createApi, type TokenResponse, type User } from '../api/http';
import { toProblem } from '../api/problem';
import { isLocale, type MessageKey } from '../i18n/translate';
import { locale, setLocale } from '../i18n/locale.svelte';
import { clearProfile, loadProfile, saveProfile } from './profile-cache';
import { outbox, useFetch } from './sync';

export type Status = 'loading' | 'anon' | 'authed';

export const session = $state<{
  status: Status;
  user: User | null;
  /** Started from the cached profile because the server could not be reached. */
  offline: boolean;
  /** Why the last session ended (shown on the login page). */
  endedBecause: MessageKey | null;
}>({ status: 'loading', user: null, offline: false, endedBecause: null });

function locks() {
  return typeof navigator !== 'undefined' && 'locks' in navigator ? navigator.locks : null;
}

export const auth = new Auth({
  baseUrl: location.origin,
  fetch: (input, init) => fetch(input, init),
  locks: locks(),
  onToken: (t) => adopt(t.user),
  onSessionEnded: (p) => ended(p),
});

export const api = createApi(auth, location.origin);
useFetch(auth.fetch);

function adopt(user: User): void {
  session.user = user;
  session.status = 'authed';
  session.offline = false;
  session.endedBecause = null;
  if (isLocale(user.language) && user.language !== locale()) void setLocale(user.language);
  void saveProfile(user);
  void outbox.setOwner(user.id);
}

function forget(): void {
  auth.clear();
  session.user = null;
  session.status = 'anon';
  session.offline = false;
  void clearProfile();
  void outbox.setOwner(null);
}

function ended(p: ApiProblem): void {
  if (session.status !== 'authed') return;
  forget();
  session.endedBecause = p.code === 'account_inactive' ? 'problem.account_inactive' : 'login.sessionEnded';
}

/** At start-up: trade the refresh cookie for a token, or open offline from the cached profile. */
export async function boot(): Promise<void> {
  try {
    await auth.refresh();
  } catch (err) {
    const p = toProblem(err);
    if (p.isNetwork || p.status >= 500) {
      const cached = await loadProfile();
      if (cached) {
        session.user = cached;
        session.status = 'authed';
        session.offline = true;
        void outbox.setOwner(cached.id);
        return;
      }
      session.offline = true;
    }
    session.status = 'anon';
  }
}

/** Back online after an offline start: get a real token (or learn that the session is over). */
export async function reconnect(): Promise<void> {
  if (!session.offline) return;
  try {
    await auth.refresh();
  } catch (err) {
    const p = toProblem(err);
    if (!p.isNetwork && p.status < 500) forget();
  }
}

export async function login(loginName: string, password: string): Promise<User> {
  const t: TokenResponse = await call(
    api.POST('/api/v1/auth/login', { body: { login: loginName, password, use_cookie: true } }),
  );
  auth.accept(t);
  adopt(t.user);
  return t.user;
}

export async function logout(): Promise<void> {
  try {
    if (auth.token) await call(api.POST('/api/v1/auth/logout'));
  } catch {
    /* offline or already ended: forget locally all the same */
  }
  forget();
}

/** Reloads the user from /me (after changing one's own preferences). */
export async function reloadMe(): Promise<User> {
  const user = await call(api.GET('/api/v1/me'));
  adopt(user);
  return user;
}

/** Saves the language choice: always locally, and on the server when signed in. */
export async function chooseLanguage(l: 'id' | 'en'): Promise<void> {
  await setLocale(l);
  if (session.status === 'authed' && !session.offline && session.user && session.user.language !== l) {
    const user = await call(api.PATCH('/api/v1/me', { body: { language: l } }));
    session.user = user;
    void saveProfile(user);
  }
}

export { ApiProblem };
