import { describe, expect, it } from 'vitest';
import { compile, matchPath, type RouteDef } from '../src/lib/router.svelte';

const page = async () => ({ default: (() => {}) as never });
const r = (path: string): RouteDef => ({ path, load: page, title: 'dashboard.title' });
const table = [r('/'), r('/users'), r('/users/new'), r('/users/:id'), r('/courses/:slug/lessons/:lessonId')].map(compile);

describe('router', () => {
  it('matches fixed paths before parameters, with or without a trailing slash', () => {
    expect(matchPath(table, '/users/new')?.route.path).toBe('/users/new');
    expect(matchPath(table, '/users/')?.route.path).toBe('/users');
    expect(matchPath(table, '/users/01a2')?.params).toEqual({ id: '01a2' });
  });

  it('decodes parameters and reports no match', () => {
    expect(matchPath(table, '/courses/data%20dasar/lessons/apa-itu-data')?.params).toEqual({ slug: 'data dasar', lessonId: 'apa-itu-data' });
    expect(matchPath(table, '/nowhere')).toBeNull();
    expect(matchPath(table, '/users/a/b')).toBeNull();
  });
});
