// The 25 forms of competence development (`GET /jp/forms`), fetched once per visit and shared by
// the external training form and the lists that name a record's form (`formLabel` in jp.ts).
import { call } from '../api/http';
import type { components } from '../api/schema';
import { api } from './session.svelte';

export type JpForm = components['schemas']['FormView'];

let cached: Promise<JpForm[]> | null = null;

export function loadForms(): Promise<JpForm[]> {
  cached ??= call(api.GET('/api/v1/jp/forms')).catch((err: unknown) => {
    cached = null;
    throw err;
  });
  return cached;
}
