// A very small, safe Markdown subset for quiz texts (question stems, options, intros, feedback),
// which the API sends as the author wrote them. Everything is escaped first; then paragraphs,
// line breaks, bulleted and numbered lists, **bold**, *italic*, `code` and [links](https://…)
// are turned into tags. Anything else shows as the text it is. HTML-format texts are reduced to
// their text (never inserted as markup).

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

function inline(escaped: string): string {
  // Code spans first, so their content is not formatted.
  const codes: string[] = [];
  let s = escaped.replace(/`([^`]+)`/g, (_, c: string) => {
    codes.push(`<code>${c}</code>`);
    return `\u0000${codes.length - 1}\u0000`;
  });
  s = s
    .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
    .replace(/__([^_]+)__/g, '<strong>$1</strong>')
    .replace(/(^|[^*\w])\*([^*\s][^*]*?)\*(?!\*)/g, '$1<em>$2</em>')
    .replace(/(^|[^_\w])_([^_\s][^_]*?)_(?!\w)/g, '$1<em>$2</em>')
    .replace(/\[([^\]]+)\]\((https?:\/\/[^\s)]+|\/[^\s)]*)\)/g, (_, text: string, href: string) => {
      const external = href.startsWith('http');
      return `<a href="${href}"${external ? ' rel="noopener noreferrer" target="_blank"' : ''}>${text}</a>`;
    });
  return s.replace(/\u0000(\d+)\u0000/g, (_, i: string) => codes[Number(i)]);
}

/** Markdown subset → HTML (safe to insert: every character of the input was escaped). */
export function miniMarkdown(source: string): string {
  const lines = escapeHtml(source.replace(/\r\n?/g, '\n')).split('\n');
  const out: string[] = [];
  let para: string[] = [];
  let list: { tag: 'ul' | 'ol'; items: string[] } | null = null;
  const flushPara = () => {
    if (para.length) out.push(`<p>${para.map(inline).join('<br>')}</p>`);
    para = [];
  };
  const flushList = () => {
    if (list) out.push(`<${list.tag}>${list.items.map((i) => `<li>${inline(i)}</li>`).join('')}</${list.tag}>`);
    list = null;
  };
  for (const raw of lines) {
    const line = raw.trimEnd();
    const bullet = /^\s*[-*+]\s+(.*)$/.exec(line);
    const numbered = /^\s*\d+[.)]\s+(.*)$/.exec(line);
    if (bullet || numbered) {
      flushPara();
      const tag = bullet ? 'ul' : 'ol';
      if (!list || list.tag !== tag) {
        flushList();
        list = { tag, items: [] };
      }
      list.items.push((bullet ?? numbered)![1]);
    } else if (line.trim() === '') {
      flushPara();
      flushList();
    } else {
      flushList();
      para.push(line.replace(/^#{1,6}\s+/, ''));
    }
  }
  flushPara();
  flushList();
  return out.join('');
}

/** A quiz text in its format, as safe HTML. */
export function quizText(text: string, format: string | undefined): string {
  if (format === 'html') {
    const doc = new DOMParser().parseFromString(text, 'text/html');
    return miniMarkdown(doc.body.textContent ?? '');
  }
  if (format === 'plain' || format === 'moodle') {
    return escapeHtml(text)
      .split(/\n{2,}/)
      .map((p) => `<p>${p.replace(/\n/g, '<br>')}</p>`)
      .join('');
  }
  return miniMarkdown(text);
}

/** The same HTML without paragraph tags (for a <legend> or <label>, which take phrasing content only). */
export function asPhrasing(html: string): string {
  return html
    .replace(/<\/p><p>/g, '<br><br>')
    .replace(/<\/?p>/g, '')
    .replace(/<(ul|ol)>/g, '<br>')
    .replace(/<\/(ul|ol)>/g, '')
    .replace(/<li>/g, '• ')
    .replace(/<\/li>/g, '<br>');
}
