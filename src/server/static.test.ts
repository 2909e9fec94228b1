/** The page's static files: content types, the SPA fallback, no way out of the folder, a clear word when unbuilt. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import { afterAll, describe, expect, it } from 'vitest';
import { webPage } from './static.js';

const base = mkdtempSync(join(tmpdir(), 'pg-static-'));
const dir = join(base, 'web');
mkdirSync(join(dir, 'assets'), { recursive: true });
writeFileSync(join(dir, 'index.html'), '<!doctype html><title>page</title>');
writeFileSync(join(dir, 'assets', 'index-abc.js'), 'console.log(1)');
writeFileSync(join(dir, 'assets', 'index-abc.css'), 'body{}');
// A secret beside the folder: no path may reach it.
writeFileSync(join(base, 'secret.txt'), 'SECRET');
writeFileSync(join(base, 'web-secret.txt'), 'SECRET');
afterAll(() => rmSync(base, { recursive: true, force: true }));

function appFor(webDir: string): Hono {
  const app = new Hono();
  app.get('/api/patches', (c) => c.json({ patches: [] }));
  app.get('*', webPage(webDir));
  app.notFound((c) => c.json({ error: { code: 'unknown-route' } }, 404));
  return app;
}
const app = appFor(dir);

describe('the web page served by serve', () => {
  it('serves index.html at / and each asset with its content type and caching', async () => {
    const index = await app.request('/');
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=UTF-8');
    expect(index.headers.get('cache-control')).toBe('no-cache');
    expect(index.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await index.text()).toContain('<title>page</title>');
    const js = await app.request('/assets/index-abc.js');
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=UTF-8');
    expect(js.headers.get('cache-control')).toContain('immutable');
    expect(await js.text()).toBe('console.log(1)');
    expect((await app.request('/assets/index-abc.css')).headers.get('content-type')).toBe(
      'text/css; charset=UTF-8',
    );
  });

  it('answers an unknown page path with index.html, a missing asset with 404, the API untouched', async () => {
    const deep = await app.request('/patch/0xabc/anything');
    expect(deep.status).toBe(200);
    expect(await deep.text()).toContain('<title>page</title>');
    expect((await app.request('/assets/gone.js')).status).toBe(404);
    expect(await (await app.request('/api/patches')).json()).toEqual({ patches: [] });
    const api = await app.request('/api/nope');
    expect(api.status).toBe(404);
    expect(await api.json()).toEqual({ error: { code: 'unknown-route' } });
    expect((await app.request('/openapi.json')).status).toBe(404);
  });

  it('never reads outside its folder, however the path is spelled', async () => {
    for (const path of [
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/..%2fsecret.txt',
      '/%2e%2e%2fsecret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/..%5csecret.txt',
      '/%00/../secret.txt',
      '/../web-secret.txt',
      '/%E0%A4%A',
    ]) {
      const r = await app.request(path);
      const text = await r.text();
      expect(text, path).not.toContain('SECRET');
    }
  });

  it('says the page is not built, in one line, when dist/web is missing', async () => {
    const r = await appFor(join(base, 'nowhere')).request('/');
    expect(r.status).toBe(503);
    const text = await r.text();
    expect(text).toMatch(/^patchgate: the web page is not built here .*npm run build/);
    expect(text).not.toMatch(/\n {4}at /);
    // The API is still answered as before.
    expect((await appFor(join(base, 'nowhere')).request('/api/patches')).status).toBe(200);
  });
});
