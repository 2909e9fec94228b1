/**
 * The web page, served at `/` by `patchgate serve`: the files `vite build web` wrote to dist/web/ (npm run build).
 * A file that exists is sent with its content type; any other path that is not the API's (`/api/…`,
 * `/openapi.json`) gets index.html, the page routing itself; a missing hashed asset is a 404, not the page. A path is
 * resolved inside the folder or refused (no `..`, no encoded separators, no NUL). When the page was not built, `/`
 * says so in one line — never a stack trace.
 */
import { readFile, stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Context, MiddlewareHandler } from 'hono';

/** dist/web/ of the package: from src/server/ (tests), dist/server/ and dist/bundle/ alike. */
const WEB_DIR = fileURLToPath(new URL('../../dist/web/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=UTF-8',
  '.js': 'text/javascript; charset=UTF-8',
  '.mjs': 'text/javascript; charset=UTF-8',
  '.css': 'text/css; charset=UTF-8',
  '.json': 'application/json; charset=UTF-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=UTF-8',
  '.map': 'application/json; charset=UTF-8',
};

/** The page talks to its own origin only, runs only its own scripts, and is framed by nobody. */
const HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

const isApi = (path: string) => path === '/api' || path.startsWith('/api/') || path === '/openapi.json';

/** The file `path` names inside `dir`, or undefined when it cannot be one (traversal, odd bytes). */
function fileFor(dir: string, path: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.includes('\\') || decoded.split('/').includes('..')) return undefined;
  const file = resolve(dir, `.${decoded}`);
  return file.startsWith(dir.endsWith(sep) ? dir : `${dir}${sep}`) ? file : undefined;
}

async function isFile(file: string): Promise<boolean> {
  return stat(file).then(
    (s) => s.isFile(),
    () => false,
  );
}

async function send(c: Context, file: string, cache: string): Promise<Response> {
  // Hono answers a HEAD request with this response's headers and no body.
  return c.body(await readFile(file), 200, {
    ...HEADERS,
    'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
    'cache-control': cache,
  });
}

/**
 * `app.get('*', webPage())` after the API's routes: GET and HEAD of any non-API path.
 *
 * @example
 * ```ts
 * const app = new Hono();
 * app.get('*', webPage('/srv/patchgate/dist/web'));
 * ```
 */
export function webPage(dir: string = WEB_DIR): MiddlewareHandler {
  const root = resolve(dir);
  return async (c, next) => {
    const path = new URL(c.req.url).pathname;
    if (isApi(path)) return next();
    const index = resolve(root, 'index.html');
    if (!(await isFile(index))) {
      return c.text(
        'patchgate: the web page is not built here (no dist/web/index.html). Run `npm run build` in the package; the API is at /api/… (GET /openapi.json lists it).\n',
        503,
      );
    }
    const file = fileFor(root, path);
    if (file && file !== root && (await isFile(file))) {
      // Vite names assets by their content hash: a name is never reused.
      return send(c, file, path.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
    }
    if (path.startsWith('/assets/')) return c.text(`no asset ${path}\n`, 404);
    return send(c, index, 'no-cache');
  };
}
