import { h } from './dom.js';
import { kindOf, typeLabel } from './format.js';
import { summary } from './markdown.js';
import { nodeHref } from './router.js';
import { buildSearchIndex, search, type SearchHit, type SearchIndex } from './search.js';
import type { Project } from './project.js';

const SHOWN = 20;

function resultItem(hit: SearchHit): HTMLElement {
  const { node } = hit;
  return h('a', { class: 'search-result', href: nodeHref(node.uniqueId), role: 'option', 'data-id': node.uniqueId },
    h('div', { class: 'search-result-head' },
      h('i', { class: `swatch kind-${kindOf(node)}` }),
      h('span', { class: 'search-result-name' }, node.name),
      h('span', { class: 'muted' }, typeLabel(node)),
      hit.where !== 'name' && h('span', { class: 'search-where' }, hit.where),
    ),
    node.description && h('div', { class: 'search-result-text' }, summary(node.description, 120)),
  );
}

/** The header's search: results as you type, arrows and Enter to open, `/` to focus from anywhere. */
export function searchBox(project: Project): HTMLElement {
  // Built on first use: a page opened from a link never pays for it.
  let index: SearchIndex | undefined;
  const input = h('input', { type: 'search', class: 'search-input', placeholder: 'Search models, columns, tags…  ( / )', 'aria-label': 'search', spellcheck: 'false', autocomplete: 'off' });
  const list = h('div', { class: 'search-results', role: 'listbox', hidden: true });
  let active = 0;
  const items = () => [...list.querySelectorAll<HTMLAnchorElement>('.search-result')];
  const highlight = (next: number) => {
    const all = items();
    active = Math.max(0, Math.min(all.length - 1, next));
    all.forEach((item, i) => item.classList.toggle('active', i === active));
    all[active]?.scrollIntoView({ block: 'nearest' });
  };
  const close = () => (list.hidden = true);
  const update = () => {
    index ??= buildSearchIndex(project.data.nodes);
    const query = input.value.trim();
    const hits = search(index, query, SHOWN);
    list.replaceChildren(...(query && hits.length === 0 ? [h('div', { class: 'search-empty' }, 'No match.')] : hits.map(resultItem)));
    list.hidden = query === '';
    highlight(0);
  };
  input.addEventListener('input', update);
  input.addEventListener('focus', () => input.value.trim() && update());
  input.addEventListener('keydown', (event) => {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      highlight(active + (event.key === 'ArrowDown' ? 1 : -1));
    } else if (event.key === 'Enter') {
      const target = items()[active];
      if (target) location.hash = target.hash;
      close();
      input.blur();
    } else if (event.key === 'Escape') {
      close();
      input.blur();
    }
  });
  // A result is followed on mousedown's click; closing on blur first would remove it before the click lands.
  list.addEventListener('mousedown', (event) => event.preventDefault());
  list.addEventListener('click', () => {
    close();
    input.blur();
  });
  input.addEventListener('blur', close);
  document.addEventListener('keydown', (event) => {
    const typing = event.target instanceof HTMLInputElement || event.target instanceof HTMLTextAreaElement;
    if (event.key === '/' && !typing) {
      event.preventDefault();
      input.focus();
    }
  });
  return h('div', { class: 'search' }, input, list);
}
