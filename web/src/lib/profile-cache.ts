// The signed-in user's own profile, kept in IndexedDB so the app can open offline (after the
// first visit) and still say whose device this is and whose events wait in the outbox. Never
// the access token: that stays in memory. Cleared at logout.
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { User } from '../api/http';

interface Schema extends DBSchema {
  kv: { key: string; value: unknown };
}

let db: Promise<IDBPDatabase<Schema>> | null = null;

function open(): Promise<IDBPDatabase<Schema>> {
  db ??= openDB<Schema>('lentera-app', 1, {
    upgrade(d) {
      d.createObjectStore('kv');
    },
  });
  return db;
}

const KEY = 'profile';

export async function saveProfile(user: User): Promise<void> {
  try {
    await (await open()).put('kv', user, KEY);
  } catch {
    /* storage unavailable (private mode): offline start just needs a login */
  }
}

export async function loadProfile(): Promise<User | null> {
  try {
    return ((await (await open()).get('kv', KEY)) as User | undefined) ?? null;
  } catch {
    return null;
  }
}

export async function clearProfile(): Promise<void> {
  try {
    await (await open()).delete('kv', KEY);
  } catch {
    /* nothing kept */
  }
}
