/**
 * Attacks on `patchgate watch` as a whole, through the CLI on the live example: the keys it holds online never
 * leave it (not in its output, not in any file of its store — the signed pauses it keeps included); bad config,
 * a module that is not a rule and a credentialed --ws are refused with exit 2 before any block is judged.
 */
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Hex, hexToBytes } from 'viem';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCliAsync } from '../helpers/cli-async.js';
import { KEY_ENV, type LiveExample, startLiveExample } from '../helpers/live.js';
import { freshState, leakedKeyUpgrade } from '../helpers/watch.js';

let live: LiveExample;
beforeAll(async () => {
  live = await startLiveExample();
});
afterAll(async () => {
  await live?.anvil.stop();
});

function configWith(watch: Record<string, unknown>): string {
  const config = JSON.parse(readFileSync(join(live.configDir, 'patchgate.config.json'), 'utf8'));
  config.watch = { ...config.watch, ...watch };
  const file = join(mkdtempSync(join(tmpdir(), 'pg-adv-watch-config-')), 'patchgate.config.json');
  writeFileSync(file, JSON.stringify(config));
  return file;
}

const filesUnder = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });

/** A key in any spelling a file or an output could hold it: hex (any case, with or without 0x) or raw bytes. */
function holdsKey(haystack: Buffer, key: string): boolean {
  const hex = key.replace(/^0x/, '').toLowerCase();
  return (
    haystack.toString('latin1').toLowerCase().includes(hex) ||
    haystack.includes(Buffer.from(hexToBytes(key as Hex)))
  );
}

it('a watcher that pauses and cancels leaks neither its guardian nor its canceller key, in output or store', async () => {
  const { block } = await leakedKeyUpgrade(live);
  const state = freshState(live);
  const r = await runCliAsync(
    [
      'watch',
      '--rpc',
      live.anvil.rpcUrl,
      '--config',
      join(live.configDir, 'patchgate.config.json'),
      '--state-dir',
      state,
      '--key-env',
      'GUARDIAN_KEY',
      '--canceller-key-env',
      'CANCELLER_KEY',
      '--from',
      String(block),
      '--until',
      String(block),
      '--format',
      'json',
    ],
    { env: KEY_ENV },
  );
  expect(r.code).toBe(0);
  expect(r.stdout).toContain('"status":"sent"'); // it did sign and send a pause
  for (const key of [KEY_ENV.GUARDIAN_KEY, KEY_ENV.CANCELLER_KEY]) {
    expect(holdsKey(Buffer.from(r.stdout + r.stderr), key)).toBe(false);
    for (const file of filesUnder(join(state, 'db')))
      expect(holdsKey(readFileSync(file), key), file).toBe(false);
  }
  // The search finds a key where there is one.
  expect(holdsKey(Buffer.from(`x${KEY_ENV.GUARDIAN_KEY.toUpperCase()}y`), KEY_ENV.GUARDIAN_KEY)).toBe(true);
});

it('a misspelled watch rule in the config is exit 2 naming it, before the chain is asked anything', async () => {
  const r = await runCliAsync([
    'watch',
    '--rpc',
    live.anvil.rpcUrl,
    '--config',
    configWith({ rules: { outflow: { respond: 'pause' } } }),
    '--state-dir',
    freshState(live),
  ]);
  expect(r.code).toBe(2);
  expect(r.stderr).toContain('outflow');
  expect(r.stdout).toBe('');
});

it('a custom rule module that exports no rule is exit 2 (watch-rule-invalid) before any block is judged', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pg-adv-watch-rule-'));
  writeFileSync(join(dir, 'not-a-rule.mjs'), 'export default { name: "Not Kebab", check() {} };\n');
  const r = await runCliAsync([
    'watch',
    '--rpc',
    live.anvil.rpcUrl,
    '--config',
    configWith({ custom: [{ module: join(dir, 'not-a-rule.mjs') }] }),
    '--state-dir',
    freshState(live),
    '--format',
    'json',
  ]);
  expect(r.code).toBe(2);
  expect(JSON.parse(r.stdout).error.code).toBe('watch-rule-invalid');
  expect(r.stderr).toContain('not-a-rule.mjs');
});

it('a --ws URL that is not a WebSocket URL is exit 2, its password never printed', async () => {
  const r = await runCliAsync([
    'watch',
    '--rpc',
    live.anvil.rpcUrl,
    '--ws',
    'https://ops:hunter2@node.example/ws',
  ]);
  expect(r.code).toBe(2);
  expect(r.stderr).toContain('--ws');
  expect(r.stderr + r.stdout).not.toContain('hunter2');
});

it('an --until before --from is exit 2 naming both, before the chain is asked anything', async () => {
  const r = await runCliAsync(['watch', '--rpc', 'http://127.0.0.1:1', '--from', '10', '--until', '5']);
  expect(r.code).toBe(2);
  expect(r.stderr).toContain('--until 5 is before --from 10');
});
