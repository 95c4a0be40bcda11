// Proof files (certificate scans) for external training and professional certifications: upload
// the raw bytes, then refer to the id; fetching one back needs the Authorization header.
import { call } from '../api/http';
import { readProblem, toProblem } from '../api/problem';
import type { components } from '../api/schema';

/** What the server keeps as proof (it checks the bytes too). */
export const PROOF_ACCEPT = '.pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg';

export type ProofMeta = components['schemas']['ProofMeta'];

export async function uploadProof(file: File): Promise<ProofMeta> {
  const { api } = await import('./session.svelte');
  return (await call(
    api.POST('/api/v1/me/proofs', {
      params: { query: { file_name: file.name } },
      body: file as unknown as number[],
      bodySerializer: (b: unknown) => b as Blob,
      headers: { 'Content-Type': file.type || 'application/octet-stream' },
    }),
  ));
}

const EXTENSIONS: Record<string, string> = { 'application/pdf': 'pdf', 'image/png': 'png', 'image/jpeg': 'jpg' };

/** A file name for a proof: the base made safe, with the extension of its media type. */
export function proofFileName(base: string, mediaType: string | null): string {
  const safe =
    base
      .normalize('NFKD')
      .replace(/[^\w.-]+/g, '-')
      .replace(/-+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 80) || 'bukti';
  const ext = EXTENSIONS[(mediaType ?? '').split(';')[0].trim()] ?? 'bin';
  return `${safe}.${ext}`;
}

/** A proof's bytes, fetched with the session's token. */
export async function fetchProof(id: string): Promise<Blob> {
  const { auth } = await import('./session.svelte');
  let response: Response;
  try {
    response = await auth.fetch(new Request(new URL(`/api/v1/proofs/${encodeURIComponent(id)}`, location.origin)));
  } catch (err) {
    throw toProblem(err);
  }
  if (!response.ok) throw await readProblem(response);
  const blob = await response.blob();
  const type = (response.headers.get('Content-Type') ?? blob.type).split(';')[0].trim();
  return blob.type === type ? blob : new Blob([blob], { type });
}

/** Whether a proof can be shown inside the page (images; the app's CSP embeds no PDFs). */
export function showsInline(mediaType: string): boolean {
  return mediaType === 'image/png' || mediaType === 'image/jpeg';
}

/** Fetches a proof and saves it; returns the file name. */
export async function downloadProof(id: string, base: string): Promise<string> {
  const blob = await fetchProof(id);
  const name = proofFileName(base, blob.type);
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
