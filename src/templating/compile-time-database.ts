import type { Connection } from '../adapters/adapter.js';
import type { ColumnType } from '../adapters/introspector.js';
import { TsdbtError } from '../core/errors.js';
import type { CompileTimeDatabase } from './render-hooks.js';

/** Runs work on a connection to the target's database (a build's own, or one opened for `tsdbt compile`). */
export type ReadDatabase = (work: (connection: Connection) => Promise<void>) => Promise<void>;

/** More rounds than any nesting of dbt_utils calls needs: a template asking forever is an error. */
const MAX_READING_ROUNDS = 10;

/**
 * Renders with what is known, asks the database what the rendering asked, and renders again, as often as a new answer
 * raises new questions (a star over get_column_values' values...). `what` names the rendering in the error.
 */
export async function renderReading<T>(answers: DatabaseAnswers, render: (questions: Questions) => T, read: ReadDatabase, what: string): Promise<T> {
  for (let round = 0; ; round++) {
    const questions = new Questions();
    const rendered = render(questions);
    if (questions.isEmpty) return rendered;
    if (round === MAX_READING_ROUNDS) throw new TsdbtError('compile', `${what} still asks the database after ${round} rounds: ${questions.describe()}`);
    await answers.answer(questions, read);
  }
}

/** What one rendering asked the database that is not known yet. */
export class Questions {
  readonly relations = new Set<string>();
  readonly queries = new Set<string>();

  get isEmpty(): boolean {
    return this.relations.size === 0 && this.queries.size === 0;
  }

  /** For the message when they go unanswered. */
  describe(): string {
    return [...this.relations].map((relation) => `the columns of ${relation}`).concat([...this.queries].map((sql) => `the query ${sql.replace(/\s+/g, ' ').trim()}`)).join('; ');
  }
}

/**
 * The answers a compiler has read from the database, kept for the rest of the command (a relation read while a model
 * compiles was built before it). A question not answered yet goes to the rendering's own `Questions`, if it has any.
 */
export class DatabaseAnswers {
  private readonly columnsOf = new Map<string, ColumnType[]>();
  private readonly rowsOf = new Map<string, Array<Array<string | null>>>();
  /** How many questions found no answer, ever: a rendering that raised it is incomplete. */
  misses = 0;

  /** The database as the renderings see it; `asking` is where the rendering under way keeps its questions. */
  readFor(asking: () => Questions | undefined): CompileTimeDatabase {
    return {
      columns: (relation) => this.lookUp(this.columnsOf, relation, asking()?.relations),
      rows: (sql) => this.lookUp(this.rowsOf, sql, asking()?.queries),
    };
  }

  /** Asks the database a rendering's questions, on one connection. */
  async answer(questions: Questions, read: ReadDatabase): Promise<void> {
    await read(async (connection) => {
      for (const relation of questions.relations) this.columnsOf.set(relation, await connection.introspector.relationColumnsIfExists(relation));
      for (const sql of questions.queries) this.rowsOf.set(sql, (await connection.queryText(sql)).rows);
    });
  }

  private lookUp<T>(answers: Map<string, T>, question: string, asked: Set<string> | undefined): T | undefined {
    const known = answers.get(question);
    if (known === undefined) {
      this.misses++;
      asked?.add(question);
    }
    return known;
  }
}
