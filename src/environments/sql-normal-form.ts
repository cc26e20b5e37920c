import { createHash } from 'node:crypto';
import { scanSync } from 'libpg-query';
import { parseStatements } from '../lineage/sql-parser.js';

/** Where a node sits in the text: formatting, not logic. */
const POSITION_KEYS = new Set(['location', 'stmt_location', 'stmt_len']);

/**
 * A parse tree (or any part of one) as JSON with its positions dropped and its keys sorted, so that two trees are
 * equal exactly when their texts differ only in comments, whitespace, keyword case or redundant formatting (`AS`,
 * optional parentheses, `"lower_case"` quotes). Quoted identifiers keep their case: the parser folds unquoted ones.
 */
export function canonicalTree(tree: unknown): string {
  return JSON.stringify(tree, (key, value: unknown) => {
    if (POSITION_KEYS.has(key)) return undefined;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
    return Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  });
}

/**
 * A hash of the logic of one SQL statement: its parse tree by PostgreSQL's own parser (libpg-query), positions
 * dropped. libpg-query's `fingerprint` is not used as it ignores constants, and `where x > 1` and `where x > 2` are
 * different models. SQL that does not parse, or holds several statements, falls back to its tokens by the parser's
 * own scanner, comments dropped and keywords lowercased (so whitespace, comments and keyword case still do not
 * count), or to its text with whitespace collapsed when even the scanner refuses it. The two kinds of input are
 * hashed under different prefixes, so a tree never collides with a text.
 *
 * The parser must be loaded (`loadSqlParser()` of lineage/sql-parser.ts). 16 hex characters are 64 bits: a project
 * holds thousands of model versions, not billions, and even 2^16 versions collide with a chance of about 2^-33, while
 * the hash stays short enough for a table name (63 bytes at most). A libpg-query upgrade that reshapes its trees
 * changes every hash: a rebuild, never a wrong reuse.
 */
export function sqlLogicHash(sql: string): string {
  const parsed = parseStatements(sql);
  const key = 'statements' in parsed && parsed.statements.length === 1 ? `tree:${canonicalTree(parsed.statements[0])}` : `text:${normalisedText(sql)}`;
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

function normalisedText(sql: string): string {
  try {
    return scanSync(sql)
      .tokens.filter((token) => token.tokenName !== 'SQL_COMMENT' && token.tokenName !== 'C_COMMENT')
      .map((token) => (token.keywordKind > 0 ? token.text.toLowerCase() : token.text))
      .join(' ');
  } catch {
    // An unterminated string or comment: the scanner gives up, the text is all there is.
    return sql.trim().replace(/\s+/g, ' ');
  }
}
