// Touches the server's lesson HTML once it is in the page: the page's <h1> is the lesson title,
// so headings inside start one level below; tables get a wrapper that scrolls sideways on phones
// (a labelled region that takes keyboard focus, as scrollable areas must); code and maths blocks
// that overflow take focus too.
export function enhanceLesson(root: HTMLElement, tableLabel: (n: number) => string): void {
  for (const h1 of root.querySelectorAll('h1')) {
    const h2 = document.createElement('h2');
    for (const a of h1.attributes) h2.setAttribute(a.name, a.value);
    h2.append(...h1.childNodes);
    h1.replaceWith(h2);
  }
  let n = 0;
  for (const table of root.querySelectorAll('table')) {
    n++;
    if (table.parentElement?.classList.contains('table-scroll')) continue;
    const wrap = document.createElement('div');
    wrap.className = 'table-scroll';
    wrap.tabIndex = 0;
    wrap.setAttribute('role', 'region');
    wrap.setAttribute('aria-label', table.querySelector('caption')?.textContent?.trim() || tableLabel(n));
    table.replaceWith(wrap);
    wrap.append(table);
  }
  for (const el of root.querySelectorAll<HTMLElement>('pre, .math-display')) {
    if (el.scrollWidth > el.clientWidth) el.tabIndex = 0;
  }
}
