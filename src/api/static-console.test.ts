import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeErrorHandler } from './api-errors.ts';
import { CONTENT_SECURITY_POLICY, registerConsole } from './static-console.ts';

const INDEX = '<!doctype html><html><head><script type="module" src="/assets/index-abc123.js"></script></head><body><div id="root"></div></body></html>';

function appFor(dir: string): FastifyInstance {
  const app = Fastify({ logger: false });
  app.setErrorHandler(makeErrorHandler(pino({ level: 'silent' })));
  registerConsole(app, { dir, publicUrl: () => 'http://stint.test' });
  app.get('/v1/whoami', () => Promise.resolve({ email: 'x' }));
  return app;
}

describe('the web console served by the API server', () => {
  let root: string;
  let dist: string;
  let app: FastifyInstance;
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'stint-console-'));
    dist = join(root, 'dist');
    mkdirSync(join(dist, 'assets'), { recursive: true });
    writeFileSync(join(dist, 'index.html'), INDEX);
    writeFileSync(join(dist, 'assets', 'index-abc123.js'), 'console.log("app")');
    writeFileSync(join(dist, 'assets', 'index-abc123.css'), 'body{}');
    writeFileSync(join(dist, 'favicon.svg'), '<svg/>');
    writeFileSync(join(root, 'secret.txt'), 'outside the build');
    app = appFor(dist);
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('answers / and every app route with index.html, never cached, with security headers', async () => {
    for (const url of ['/', '/contractors', '/contractors/alice%40vendor.example', '/sessions?state=live', '/portal']) {
      const res = await app.inject({ method: 'GET', url, headers: { accept: 'text/html' } });
      expect(res.statusCode, url).toBe(200);
      expect(res.body).toBe(INDEX);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
    }
    expect(CONTENT_SECURITY_POLICY).toContain("default-src 'self'");
    expect(CONTENT_SECURITY_POLICY).toContain("frame-ancestors 'none'");
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-inline');
  });

  it('serves hashed assets with long cache lifetimes and other files revalidated', async () => {
    const js = await app.inject({ method: 'GET', url: '/assets/index-abc123.js' });
    expect(js.statusCode).toBe(200);
    expect(js.body).toBe('console.log("app")');
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const css = await app.inject({ method: 'GET', url: '/assets/index-abc123.css' });
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    const icon = await app.inject({ method: 'GET', url: '/favicon.svg' });
    expect(icon.statusCode).toBe(200);
    expect(icon.headers['cache-control']).toBe('no-cache');
    expect(icon.headers['x-content-type-options']).toBe('nosniff');
  });

  it('answers a missing asset with 404, not with the page', async () => {
    const res = await app.inject({ method: 'GET', url: '/assets/index-gone.js' });
    expect(res.statusCode).toBe(404);
    expect(res.body).not.toContain('<html');
  });

  it('never serves a file outside the build', async () => {
    for (const url of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/assets/%00.js', '/.env']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.body, url).not.toContain('outside the build');
      // Either refused, or answered with the page like any other unknown path.
      if (res.statusCode === 200) expect(res.body, url).toBe(INDEX);
      else expect([400, 404], url).toContain(res.statusCode);
    }
  });

  it('keeps unknown API paths and non-GET methods JSON 404s', async () => {
    const unknown = await app.inject({ method: 'GET', url: '/v1/nothing-here', headers: { accept: 'text/html' } });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ error: { code: 'STINT_ERR_NOT_FOUND' } });
    const post = await app.inject({ method: 'POST', url: '/contractors' });
    expect(post.statusCode).toBe(404);
    expect(post.json()).toMatchObject({ error: { code: 'STINT_ERR_NOT_FOUND' } });
    const api = await app.inject({ method: 'GET', url: '/v1/whoami' });
    expect(api.json()).toEqual({ email: 'x' });
    expect(api.headers['x-content-type-options']).toBe('nosniff');
  });

  it('gives a browser the console on an invite link and curl the instructions', async () => {
    const browser = await app.inject({ method: 'GET', url: '/invite/stint_inv_abc', headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
    expect(browser.statusCode).toBe(200);
    expect(browser.body).toBe(INDEX);
    const curl = await app.inject({ method: 'GET', url: '/invite/stint_inv_abc', headers: { accept: '*/*' } });
    expect(curl.statusCode).toBe(200);
    expect(curl.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(curl.body).toContain('STINT_URL=http://stint.test stint accept stint_inv_abc');
    const plain = await app.inject({ method: 'GET', url: '/invite/stint_inv_abc', headers: { accept: 'text/plain' } });
    expect(plain.body).toContain('stint accept stint_inv_abc');
    const bad = await app.inject({ method: 'GET', url: '/invite/%3Cscript%3E', headers: { accept: 'text/html' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).not.toContain('<script>');
  });

  it('explains how to build the console when web/dist is missing', async () => {
    const bare = appFor(join(root, 'no-such-dist'));
    try {
      const res = await bare.inject({ method: 'GET', url: '/', headers: { accept: 'text/html' } });
      expect(res.statusCode).toBe(503);
      expect(res.body).toContain('npm run build');
      expect(res.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
      const route = await bare.inject({ method: 'GET', url: '/sessions' });
      expect(route.statusCode).toBe(503);
      // An invite link still tells a browser how to accept, from the command line.
      const invite = await bare.inject({ method: 'GET', url: '/invite/stint_inv_abc', headers: { accept: 'text/html' } });
      expect(invite.statusCode).toBe(200);
      expect(invite.body).toContain('stint accept stint_inv_abc');
    } finally {
      await bare.close();
    }
  });
});
