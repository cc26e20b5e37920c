/**
 * SQL text compared up to whitespace: runs of whitespace are one space, kept only between two word characters
 * (`select id`), dropped beside punctuation and operators (dbt's Jinja and tsdbt's templates lay SQL out differently).
 */
export function sqlWords(sql: string): string {
  return sql.replace(/\s+/g, ' ').replace(/ (?=\W)|(?<=\W) /g, '').trim();
}
