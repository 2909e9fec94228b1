/**
 * A new embedded store starts as a copy of the user's empty cluster (src/store/template.ts). The template is a
 * file tree in a cache folder: one someone else could write, or that was edited, must never seed a store —
 * a planted event trigger would see every table patchgate creates. Each attack: the seed refuses (the store is
 * then made by initdb, as before), and the target folder is left empty.
 */
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  renameSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openPglite } from '../../src/store/db.js';
import { seedFromTemplate } from '../../src/store/template.js';

const cache = mkdtempSync(join(tmpdir(), 'pg-template-cache-'));
let template: string;
const target = () => join(mkdtempSync(join(tmpdir(), 'pg-template-target-')), 'db');
const empty = (dir: string) => !existsSync(dir) || readdirSync(dir).length === 0;

const before = process.env.PATCHGATE_CACHE_DIR;
afterAll(() => {
  // Test files may share a worker process: the next one finds the run's own template again.
  if (before === undefined) delete process.env.PATCHGATE_CACHE_DIR;
  else process.env.PATCHGATE_CACHE_DIR = before;
});

beforeAll(async () => {
  process.env.PATCHGATE_CACHE_DIR = cache;
  const first = target();
  expect(await seedFromTemplate(first)).toBe(true); // builds the template: one initdb
  const [name] = readdirSync(cache).filter((n) => n.startsWith('pglite-'));
  template = join(cache, name as string);
  expect(existsSync(join(first, 'PG_VERSION'))).toBe(true);
  // The copy is a working cluster: a store opens on it and keeps what it is given.
  const db = await openPglite(first);
  await db.query('create table t (x int)');
  await db.query('insert into t values (42)');
  await db.close();
  const again = await openPglite(first, { create: false });
  expect(await again.query('select x from t')).toEqual([{ x: 42 }]);
  await again.close();
}, 240_000);

afterEach(() => {
  chmodSync(template, 0o700);
});

describe('the store template', () => {
  it('seeds a new store from the template when it is intact', async () => {
    const dir = target();
    expect(await seedFromTemplate(dir)).toBe(true);
    expect(existsSync(join(dir, 'PG_VERSION'))).toBe(true);
  });

  it('refuses a template with a file planted in it', async () => {
    const planted = join(template, 'cluster', 'base', 'planted');
    writeFileSync(planted, 'CREATE EVENT TRIGGER …');
    const dir = target();
    expect(await seedFromTemplate(dir)).toBe(false);
    expect(empty(dir)).toBe(true);
    renameSync(planted, join(cache, 'planted-removed'));
  });

  it('refuses a template whose file was edited', async () => {
    const file = join(template, 'cluster', 'PG_VERSION');
    const { readFileSync } = await import('node:fs');
    const original = readFileSync(file);
    writeFileSync(file, '99\n');
    const dir = target();
    expect(await seedFromTemplate(dir)).toBe(false);
    expect(empty(dir)).toBe(true);
    writeFileSync(file, original);
  });

  it('refuses a template folder others may write to', async () => {
    chmodSync(template, 0o777);
    const dir = target();
    expect(await seedFromTemplate(dir)).toBe(false);
    expect(empty(dir)).toBe(true);
  });

  it('refuses a template that is a symlink to somewhere else', async () => {
    const cluster = join(template, 'cluster');
    renameSync(cluster, join(template, 'real'));
    symlinkSync(join(template, 'real'), cluster);
    const dir = target();
    expect(await seedFromTemplate(dir)).toBe(false);
    expect(empty(dir)).toBe(true);
    const { rmSync } = await import('node:fs');
    rmSync(cluster);
    renameSync(join(template, 'real'), cluster);
    expect(await seedFromTemplate(target())).toBe(true); // intact again
  });
});
