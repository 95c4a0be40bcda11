// Roles as the API names them, and what each may see in the app.
import type { components } from '../api/schema';

export type Role = 'learner' | 'instructor' | 'mentor' | 'hr' | 'admin';
export const ROLES: readonly Role[] = ['learner', 'instructor', 'mentor', 'hr', 'admin'];
export type RoleView = components['schemas']['RoleView'];

type WithRoles = { roles: RoleView[] };

export function hasRole(user: WithRoles | null | undefined, ...roles: Role[]): boolean {
  return !!user && user.roles.some((r) => roles.includes(r.role as Role));
}

/**
 * The OPDs an hr officer is limited to; null when not limited (admins, regency-wide hr). The
 * server applies the same rule; this only shapes the forms.
 */
export function hrScope(user: WithRoles | null | undefined): string[] | null {
  if (!user || hasRole(user, 'admin')) return null;
  const hr = user.roles.filter((r) => r.role === 'hr');
  if (hr.length === 0 || hr.some((r) => !r.opd_id)) return null;
  return hr.map((r) => r.opd_id as string);
}

/** Roles this user may give to others: admins any; hr officers learners and mentors. */
export function grantableRoles(user: WithRoles | null | undefined): Role[] {
  if (hasRole(user, 'admin')) return [...ROLES];
  if (hasRole(user, 'hr')) return ['learner', 'mentor'];
  return [];
}
