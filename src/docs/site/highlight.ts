import hljs from 'highlight.js/lib/core';
import sql from 'highlight.js/lib/languages/sql';
import { h } from './dom.js';

// Only SQL is registered: the whole of highlight.js would triple the bundle.
hljs.registerLanguage('sql', sql);

/** A code block, SQL highlighted; highlight.js escapes the code, so its HTML output is safe to insert. */
export function codeBlock(code: string, language: 'sql' | 'typescript' | undefined): HTMLElement {
  const element = h('code', { class: 'hljs' });
  if (language === 'sql') element.innerHTML = hljs.highlight(code, { language: 'sql', ignoreIllegals: true }).value;
  else element.textContent = code;
  return h('pre', { class: 'code' }, element);
}
