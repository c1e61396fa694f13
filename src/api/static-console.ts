import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { StintError } from '../errors/stint-error.ts';
import { notFoundHandler } from './api-errors.ts';

/**
 * Serves the built web console (web/dist) from the API server: hashed assets
 * with long cache lifetimes, index.html (never cached, so a deploy is seen at
 * once) for every app route, and security headers on every answer.
 */

/** Where `npm run build` writes the console, relative to this file (src/api → repo root). */
export const DEFAULT_CONSOLE_DIR = resolve(import.meta.dirname, '../../web/dist');

/**
 * 'self' only: Vite emits module scripts and stylesheets as files, so no inline
 * script or style element is needed. React sets `style` through the CSSOM,
 * which CSP does not restrict. data: images cover inlined small icons.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  // For browsers that predate frame-ancestors.
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
};

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

/** Paths that belong to the API: an unknown one is a JSON 404, never the console. */
function isApiPath(path: string): boolean {
  return path === '/v1' || path.startsWith('/v1/') || path === '/healthz' || path === '/openapi.json';
}

const INVITE_CODE = /^[A-Za-z0-9_-]{1,200}$/;

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Stint console not built</title></head>
<body><main><h1>The Stint web console is not built</h1>
<p>This server found no <code>web/dist/index.html</code>. Build the console with <code>npm run build</code>
(or start the server with <code>npm start</code>, which builds it when missing), then reload this page.</p>
<p>The API itself is running: see <a href="/openapi.json">/openapi.json</a> and <a href="/healthz">/healthz</a>.</p>
</main></body></html>
`;

export interface ConsoleOptions {
  /** The built console; DEFAULT_CONSOLE_DIR when not given. */
  readonly dir?: string;
  /** Base URL people reach the server at, for the invite instructions (read per request: known only once listening). */
  readonly publicUrl: () => string;
}

/** Adds security headers everywhere, the invite landing page and the console fallback for unknown GETs. */
export function registerConsole(app: FastifyInstance, options: ConsoleOptions): void {
  const dir = resolve(options.dir ?? DEFAULT_CONSOLE_DIR);

  app.addHook('onSend', (_request, reply, payload, done) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) if (!reply.hasHeader(name)) void reply.header(name, value);
    done(null, payload);
  });

  app.get('/invite/:code', async (request, reply) => {
    const { code } = request.params as { code: string };
    if (!INVITE_CODE.test(code)) throw new StintError('STINT_ERR_BAD_REQUEST', 'This is not an invite code; copy the whole link you were sent.');
    // A browser gets the console page (which offers both ways to accept); curl and scripts get the instructions.
    // Nothing is looked up or consumed here: opening a link must not spend a single-use invite.
    if (prefersHtml(request) && (await sendIndex(dir, reply, false))) return reply;
    return reply
      .type('text/plain; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(`You have been invited to Stint.\n\nTo accept, run:\n\n  STINT_URL=${options.publicUrl()} stint accept ${code}\n\nThis prints your access token once and saves it for later stint commands.\nOr open this link in a browser to accept it there.\n`);
  });

  app.setNotFoundHandler(async (request, reply) => {
    const path = (request.url.split('?')[0] ?? '/').replace(/\/{2,}/g, '/');
    if ((request.method !== 'GET' && request.method !== 'HEAD') || isApiPath(path)) {
      notFoundHandler(request, reply);
      return reply;
    }
    if (await sendAsset(dir, path, reply)) return reply;
    // A missing file with an extension is a broken asset link, not an app route: answering it with
    // index.html would hide the error behind a page that fails to load as a script.
    if (extname(path).toLowerCase() in CONTENT_TYPES) {
      return reply.code(404).type('text/plain; charset=utf-8').send(`No file ${path} in the web console build.\n`);
    }
    if (await sendIndex(dir, reply, true)) return reply;
    return reply;
  });
}

function prefersHtml(request: FastifyRequest): boolean {
  const accept = request.headers.accept ?? '';
  return accept.includes('text/html');
}

/** index.html, never cached; or, when the console is not built, a 503 page saying how to build it. */
async function sendIndex(dir: string, reply: FastifyReply, answerMissing: boolean): Promise<boolean> {
  let html: string;
  try {
    html = await readFile(join(dir, 'index.html'), 'utf8');
  } catch {
    if (!answerMissing) return false;
    await reply.code(503).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(NOT_BUILT_PAGE);
    return true;
  }
  await reply.code(200).type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(html);
  return true;
}

/** A file of the build, when the path names one inside the build directory. */
async function sendAsset(dir: string, path: string, reply: FastifyReply): Promise<boolean> {
  if (path === '/' || path.endsWith('/')) return false;
  let relative: string;
  try {
    relative = decodeURIComponent(path);
  } catch {
    return false;
  }
  if (relative.includes('\0') || relative.split('/').some((part) => part === '..' || part.startsWith('.'))) return false;
  const file = resolve(dir, `.${relative}`);
  if (!file.startsWith(dir + sep)) return false;
  const info = await stat(file).catch(() => null);
  if (info === null || !info.isFile()) return false;
  const type = CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
  // Vite puts content-hashed files under assets/: they never change, so browsers keep them for a year.
  const hashed = relative.startsWith('/assets/');
  await reply
    .code(200)
    .type(type)
    .header('content-length', info.size)
    .header('cache-control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache')
    .send(createReadStream(file));
  return true;
}
