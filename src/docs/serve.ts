import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { extname, join, sep } from 'node:path';
import { siteContentSecurityPolicy } from './site-files.js';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

/** The site's own policy (nothing but its files, no inline script, no eval), and no framing, which only a header can forbid. */
const securityHeaders = () => ({
  'Content-Security-Policy': `${siteContentSecurityPolicy()}; frame-ancestors 'none'`,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cache-Control': 'no-cache',
});

/**
 * The file under `root` a request path names, or undefined: the path is decoded once, must stay inside the folder
 * after `..` and symlinks are resolved, and names a regular file (`/` is index.html).
 */
export async function resolveDocsFile(root: string, urlPath: string): Promise<string | undefined> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath.split('?')[0]!.split('#')[0]!);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
  const realRoot = await realpath(root);
  const candidate = join(realRoot, decoded === '/' ? 'index.html' : decoded);
  try {
    const real = await realpath(candidate);
    if (real !== realRoot && !real.startsWith(realRoot + sep)) return undefined;
    return (await stat(real)).isFile() ? real : undefined;
  } catch {
    return undefined;
  }
}

function refuse(response: ServerResponse, headers: Record<string, string>, status: number, text: string): void {
  response.writeHead(status, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' });
  response.end(`${text}\n`);
}

/** Serves the docs folder, and only it: GET and HEAD of its files, with a restrictive Content-Security-Policy. */
export function createDocsServer(root: string): Server {
  const headers = securityHeaders();
  return createServer((request: IncomingMessage, response: ServerResponse) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      refuse(response, headers, 405, 'method not allowed');
      return;
    }
    void resolveDocsFile(root, request.url ?? '/').then(
      (file) => {
        if (!file) {
          refuse(response, headers, 404, 'not found');
          return;
        }
        response.writeHead(200, { ...headers, 'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream' });
        if (request.method === 'HEAD') response.end();
        else createReadStream(file).on('error', () => response.destroy()).pipe(response);
      },
      () => refuse(response, headers, 500, 'could not read the docs folder'),
    );
  });
}
