// Downloads a file an API endpoint produces (CSV, XLSX, PDF). These need the Authorization
// header, so a plain link will not do: fetch the file as a blob, then save it under the name the
// server gives in Content-Disposition.
import { readProblem, toProblem } from '../api/problem';

/** The file name of a Content-Disposition header (`filename*=UTF-8''…` or `filename="…"`). */
export function fileNameFrom(disposition: string | null, fallback: string): string {
  if (!disposition) return fallback;
  const star = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(disposition);
  if (star) {
    try {
      return decodeURIComponent(star[1].trim());
    } catch {
      /* fall through */
    }
  }
  const plain = /filename\s*=\s*"?([^";]+)"?/i.exec(disposition);
  return plain ? plain[1].trim() : fallback;
}

/** Fetches `url` (same origin, with the session's token) and saves the answer as a file. */
export async function downloadFile(url: string, fallbackName: string): Promise<string> {
  const { auth } = await import('./session.svelte');
  let response: Response;
  try {
    response = await auth.fetch(new Request(new URL(url, location.origin)));
  } catch (err) {
    throw toProblem(err);
  }
  if (!response.ok) throw await readProblem(response);
  const blob = await response.blob();
  const name = fileNameFrom(response.headers.get('Content-Disposition'), fallbackName);
  const href = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = href;
  a.download = name;
  a.rel = 'external';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 10_000);
  return name;
}

/** `path?k=v&…` from the non-empty parameters. */
export function withQuery(path: string, params: Record<string, string | number | boolean | null | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== null && v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}
