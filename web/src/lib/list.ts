// Small list operations the edit forms share. Pure; tests/bank.test.ts and tests/programmes.test.ts.

/** Moves item `i` by `delta` places (up is -1); the same list when it cannot move. */
export function moveItem<T>(items: T[], i: number, delta: number): T[] {
  const j = i + delta;
  if (i < 0 || i >= items.length || j < 0 || j >= items.length) return items;
  const out = [...items];
  [out[i], out[j]] = [out[j], out[i]];
  return out;
}
