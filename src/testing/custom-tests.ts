import type { ModelTemplate } from '../templating/environment.js';
import type { GenericTest } from './generic-tests.js';

/**
 * A project's own generic test: a Handlebars template (`tests/generic/<name>.sql`, or a macro `test_<name>.sql`)
 * selecting the failing rows, rendered with `{{model}}`, `{{column_name}}` (quoted) and the test's arguments.
 */
export function customGenericTest(name: string, template: ModelTemplate): GenericTest {
  return {
    name,
    required: [],
    // Its arguments are whatever the template reads.
    optional: undefined,
    needsColumn: undefined,
    render: ({ model, column, args, hooks }) => template.render(hooks, { ...args, model, column_name: column }),
  };
}
