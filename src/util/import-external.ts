/**
 * The loader of the bundled CLI (src/cli/bundle-loader.ts) imports on the bundle's behalf: under Node 20 an `import()`
 * in a function V8 compiled after reading its code cache fails ("A dynamic import callback was not specified"), so
 * the bundle's own code never calls `import()` itself. Run from the sources (tests, tsx), it is a plain `import()`.
 */
declare const __TSDBT_IMPORT__: ((specifier: string) => Promise<unknown>) | undefined;

/** `import(specifier)` of a module outside the bundle (a package left external, a project's file URL). */
export function importExternal<Module>(specifier: string): Promise<Module> {
  return (typeof __TSDBT_IMPORT__ === 'function' ? __TSDBT_IMPORT__(specifier) : import(specifier)) as Promise<Module>;
}
