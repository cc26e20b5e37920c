/**
 * What an import could not translate (each a `left` entry: the file still holds the construct, marked) and what it
 * changed without loss but a dbt user should know (`notes`). Positions are in the dbt project's files.
 */
export interface ImportIssue {
  /** The dbt project's file, relative to its root, with `/`. */
  file: string;
  line: number;
  column: number;
  /** The construct as written, shortened to one line. */
  construct: string;
  reason: string;
}

export interface ImportReport {
  source: string;
  destination: string | undefined;
  /** Files written (or, with --check, that would be), relative to the destination. */
  files: { translated: number; copied: number };
  left: ImportIssue[];
  notes: ImportIssue[];
}

/** The report file an import writes beside the project it makes. */
export const REPORT_FILE = 'dbt_import_report.json';

/** Shortens a construct to its first line, at most 80 characters. */
export function constructText(raw: string): string {
  const line = raw.split('\n')[0]!.trim();
  const cut = line.length > 80 ? `${line.slice(0, 77)}...` : line;
  return cut === raw.trim() ? cut : `${cut.replace(/\.\.\.$/, '')}...`;
}

function describe(issue: ImportIssue): string {
  return `  ${issue.file}:${issue.line}:${issue.column}: ${issue.construct}\n    ${issue.reason}`;
}

export function reportText(report: ImportReport, check: boolean): string[] {
  const lines: string[] = [];
  const { translated, copied } = report.files;
  const where = report.destination ?? '';
  lines.push(
    check
      ? `Checked ${report.source}: ${translated} file${translated === 1 ? '' : 's'} to translate, ${copied} to copy (nothing written)`
      : `Imported ${report.source} into ${where}: ${translated} file${translated === 1 ? '' : 's'} translated, ${copied} copied`,
  );
  if (report.notes.length > 0) {
    lines.push(`${report.notes.length} note${report.notes.length === 1 ? '' : 's'}:`);
    lines.push(...report.notes.map(describe));
  }
  if (report.left.length === 0) {
    lines.push(check ? 'Every construct can be translated.' : `Every construct was translated. Next: cd ${where} && tsdbt build`);
    return lines;
  }
  lines.push(`${report.left.length} construct${report.left.length === 1 ? '' : 's'} could not be translated${check ? '' : ' (marked TSDBT-IMPORT in the files written)'}:`);
  lines.push(...report.left.map(describe));
  return lines;
}
