import { TsdbtError } from '../core/errors.js';
import type { Reporter } from '../core/reporter.js';
import { createDocsServer } from './serve.js';

/**
 * `tsdbt docs serve`: serves the docs folder until Ctrl-C or SIGTERM, then closes the server and exits 0. A port in
 * use or an address that cannot be bound is a usage error naming it.
 */
export async function serveDocs(docsDir: string, { port, host }: { port: number; host: string }, reporter: Reporter): Promise<number> {
  const server = createDocsServer(docsDir);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(new TsdbtError('usage', `cannot serve the docs on ${host}:${port}: ${error.code === 'EADDRINUSE' ? 'the port is in use' : error.message}`, { hint: 'choose another with --port' })),
    );
    server.listen(port, host, resolve);
  });
  const address = server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  reporter.info(`Serving ${docsDir} on http://${host.includes(':') ? `[${host}]` : host}:${bound}/ (Ctrl-C to stop)`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      server.closeAllConnections();
      server.close(() => resolve());
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return 0;
}
