// The OPD list, fetched once per visit and shared by the forms and filters.
import { call } from '../api/http';
import type { components } from '../api/schema';
import { api } from './session.svelte';

export type Opd = components['schemas']['OpdView'];

let cached: Promise<Opd[]> | null = null;

export function loadOpds(force = false): Promise<Opd[]> {
  if (force || !cached) {
    cached = call(api.GET('/api/v1/opds')).catch((err: unknown) => {
      cached = null;
      throw err;
    });
  }
  return cached;
}

/** Forget the list (after an OPD was added). */
export function invalidateOpds(): void {
  cached = null;
}
