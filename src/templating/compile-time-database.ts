import type { Connection } from '../adapters/adapter.js';
import type { ColumnType } from '../adapters/introspector.js';
import type { CompileTimeDatabase } from './render-hooks.js';

/** Runs work on a connection to the target's database (a build's own, or one opened for `tsdbt compile`). */
export type ReadDatabase = (work: (connection: Connection) => Promise<void>) => Promise<void>;

/**
 * The answers a compiler has read from the database, kept for the rest of the command (a relation read while a model
 * compiles was built before it), and the questions a rendering asked that are not answered yet.
 */
export class DatabaseAnswers implements CompileTimeDatabase {
  private readonly columnsOf = new Map<string, ColumnType[]>();
  private readonly rowsOf = new Map<string, Array<Array<string | null>>>();
  private readonly unansweredColumns = new Set<string>();
  private readonly unansweredQueries = new Set<string>();
  /** How many questions found no answer, ever: a rendering that raised it is incomplete. */
  misses = 0;

  columns(relation: string): ColumnType[] | undefined {
    const known = this.columnsOf.get(relation);
    if (!known) this.miss(this.unansweredColumns, relation);
    return known;
  }

  rows(sql: string): Array<Array<string | null>> | undefined {
    const known = this.rowsOf.get(sql);
    if (!known) this.miss(this.unansweredQueries, sql);
    return known;
  }

  get hasQuestions(): boolean {
    return this.unansweredColumns.size > 0 || this.unansweredQueries.size > 0;
  }

  /** What a rendering asked that needs the database, for the message when there is none. */
  describeQuestions(): string {
    return [...this.unansweredColumns].map((relation) => `the columns of ${relation}`).concat([...this.unansweredQueries].map((sql) => `the query ${sql.replace(/\s+/g, ' ').trim()}`)).join('; ');
  }

  /** Asks the database every question kept, on one connection. */
  async answer(read: ReadDatabase): Promise<void> {
    const relations = [...this.unansweredColumns];
    const queries = [...this.unansweredQueries];
    await read(async (connection) => {
      for (const relation of relations) this.columnsOf.set(relation, await connection.introspector.relationColumnsIfExists(relation));
      for (const sql of queries) this.rowsOf.set(sql, (await connection.queryText(sql)).rows);
    });
    relations.forEach((relation) => this.unansweredColumns.delete(relation));
    queries.forEach((sql) => this.unansweredQueries.delete(sql));
  }

  private miss(questions: Set<string>, question: string): void {
    questions.add(question);
    this.misses++;
  }
}
