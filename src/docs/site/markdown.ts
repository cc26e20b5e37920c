import MarkdownIt from 'markdown-it';
import { h } from './dom.js';

// html: false escapes raw HTML in descriptions (a <script> or an onerror attribute becomes text), and markdown-it's
// validateLink refuses javascript:, vbscript: and data: (but images) links.
const md = new MarkdownIt({ html: false, linkify: true, typographer: false });

// Links written in descriptions leave the docs in a new tab and learn nothing about it.
md.renderer.rules.link_open = (tokens, index, options, _env, self) => {
  tokens[index]?.attrSet('target', '_blank');
  tokens[index]?.attrSet('rel', 'noopener noreferrer');
  return self.renderToken(tokens, index, options);
};

export function renderMarkdown(text: string): HTMLElement {
  const element = h('div', { class: 'markdown' });
  // markdown-it's output with html: false is escaped HTML: the one place, with highlight.ts, that sets innerHTML.
  element.innerHTML = md.render(text);
  return element;
}

/** The first paragraph as plain text, for result lists and tooltips. */
export function summary(text: string, length = 160): string {
  const first = text.split(/\n\s*\n/)[0]?.replace(/[#*_`>[\]]/g, '').trim() ?? '';
  return first.length > length ? `${first.slice(0, length - 1)}…` : first;
}
