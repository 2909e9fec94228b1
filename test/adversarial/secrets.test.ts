/**
 * Private keys never reach output, logs, reports or the store. A whole lifecycle runs through the real CLI
 * with every kind of key source (environment variables, a keystore file with its password) — propose,
 * approve ×2, queue, execute --warp, verify, log export, log head — and then every byte it left is searched
 * for every key (hex with and without 0x, any case, and the raw 32 bytes) and the keystore password: each
 * command's stdout and stderr, every file of the state dir (the PGlite data files included), the log export
 * and the signed head. Then the ways a user hands patchgate a key where it wants a name: each exits 2 and
 * never repeats it.
 */
import { createCipheriv, scryptSync } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Hex, keccak256 } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localAccount } from '../../src/chain/clients.js';
import { encryptKeystore } from '../../src/govern/keystore.js';
import { SECP256K1_N } from '../../src/govern/private-key.js';
import { type CliResult, runCli } from '../helpers/cli.js';
import { KEY_ENV, type LiveExample, startLiveExample } from '../helpers/live.js';

const LOG_KEY = localKey(8);
const KEYS: Record<string, string> = { ...KEY_ENV, LOG_KEY };
const PASSWORD = 'correct horse battery staple';

let live: LiveExample;
let state: string;
const work = mkdtempSync(join(tmpdir(), 'pg-adv-secrets-'));
const outputs: { command: string; text: string }[] = [];

function localKey(index: number): string {
  const account = localAccount(index) as { getHdKey?: () => { privateKey: Uint8Array | null } };
  return `0x${Buffer.from(account.getHdKey?.().privateKey as Uint8Array).toString('hex')}`;
}

/** Run a command with every key in the environment; keep what it printed for the search. */
function pg(args: string[], env: Record<string, string> = {}, rpc = true): CliResult {
  const r = runCli([...args, ...(rpc ? ['--rpc', live.anvil.rpcUrl] : []), '--state-dir', state], {
    cwd: live.configDir,
    env: { ...KEYS, PW: PASSWORD, ...env },
  });
  outputs.push({ command: args.join(' '), text: `${r.stdout}\n${r.stderr}` });
  return r;
}

function ok(r: CliResult): CliResult {
  expect(r.code, r.stderr).toBe(0);
  return r;
}

/** Every spelling of a secret that could leak: hex with and without 0x, lower/upper case, the raw bytes. */
function needles(secret: string): { text: string[]; bytes: Buffer[] } {
  if (!/^0x[0-9a-f]{64}$/i.test(secret))
    return { text: [secret.toLowerCase()], bytes: [Buffer.from(secret)] };
  const hex = secret.slice(2).toLowerCase();
  // The lower-cased haystack covers any case; the half-key catches a key split or truncated in a message.
  return { text: [hex, hex.slice(0, 32), hex.slice(32)], bytes: [Buffer.from(hex, 'hex')] };
}

const SECRETS = { ...KEYS, PASSWORD };

/** Which secrets (by name) appear in a buffer, in any spelling. */
function leaks(haystack: Buffer): string[] {
  const lower = Buffer.from(haystack.toString('latin1').toLowerCase(), 'latin1');
  return Object.entries(SECRETS)
    .filter(([, secret]) => {
      const { text, bytes } = needles(secret);
      return text.some((t) => lower.includes(t)) || bytes.some((b) => haystack.includes(b));
    })
    .map(([name]) => name);
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

beforeAll(async () => {
  live = await startLiveExample();
  state = mkdtempSync(join(tmpdir(), 'pg-adv-secrets-state-'));
  cpSync(join(live.stateDir, 'cache'), join(state, 'cache'), { recursive: true });
}, 300_000);

afterAll(async () => {
  await live?.anvil.stop();
});

describe('a whole lifecycle leaves no key anywhere', () => {
  it('propose, approve ×2 (key variable, keystore), queue, execute --warp, verify, log export, log head', () => {
    const keystore = join(work, 'owner2.json');
    writeFileSync(keystore, JSON.stringify(encryptKeystore(KEY_ENV.OWNER2_KEY as Hex, PASSWORD)));
    const digest = (
      JSON.parse(
        ok(pg(['propose', '--patch', 'fix-flash-deposit', '--key-env', 'DEPLOYER_KEY', '--format', 'json']))
          .stdout,
      ) as { digest: Hex }
    ).digest;
    ok(pg(['approve', digest, '--key-env', 'OWNER1_KEY']));
    ok(pg(['approve', digest, '--key-env', 'OWNER1_KEY', '--format', 'json'])); // again: already approved
    ok(pg(['approve', digest, '--typed-data']));
    ok(pg(['approve', digest, '--keystore', keystore, '--password-env', 'PW', '--format', 'json']));
    ok(pg(['status', digest]));
    ok(pg(['queue', digest, '--key-env', 'OUTSIDER_KEY']));
    ok(pg(['execute', digest, '--key-env', 'OUTSIDER_KEY', '--warp', '--format', 'json']));
    ok(pg(['verify', digest, '--format', 'json']));
    ok(pg(['status', digest, '--format', 'json']));
    const exported = join(work, 'log.jsonl');
    const head = join(work, 'head.json');
    ok(pg(['log', 'export', '--out', exported], {}, false));
    ok(pg(['log', 'head', '--key-env', 'LOG_KEY', '--format', 'json', '--out', head], {}, false));
    expect(JSON.parse(readFileSync(head, 'utf8'))).toMatchObject({ signed: true });
    ok(pg(['log', 'verify', '--file', exported, '--head', head], {}, false));
    expect(readFileSync(exported, 'utf8').split('\n').filter(Boolean).length).toBeGreaterThan(5);

    const found: string[] = [];
    for (const o of outputs)
      for (const name of leaks(Buffer.from(o.text))) found.push(`${name} in output of ${o.command}`);
    const stateFiles = filesUnder(state);
    expect(stateFiles.some((f) => f.includes(`${join(state, 'db')}`))).toBe(true);
    for (const f of [...stateFiles, exported, head])
      for (const name of leaks(readFileSync(f))) found.push(`${name} in ${f}`);
    expect(found).toEqual([]);
  });

  it('the search finds a key where there is one (the keystore password is in no file, the key in the env is)', () => {
    const planted = join(work, 'planted.bin');
    writeFileSync(
      planted,
      Buffer.concat([Buffer.from('xx'), Buffer.from(KEY_ENV.OWNER1_KEY.slice(2), 'hex')]),
    );
    expect(leaks(readFileSync(planted))).toEqual(['OWNER1_KEY']);
    expect(leaks(Buffer.from(`key ${KEY_ENV.OWNER3_KEY.slice(2).toUpperCase()}`))).toEqual(['OWNER3_KEY']);
    expect(leaks(Buffer.from(`pw ${PASSWORD}`))).toEqual(['PASSWORD']);
  });
});

/** A keystore v3 file around any 32 bytes (encryptKeystore itself refuses a value that is not a key). */
function keystoreAround(bytes: string): string {
  const good = encryptKeystore(KEY_ENV.OWNER1_KEY as Hex, PASSWORD, { n: 1024 });
  const p = good.crypto.kdfparams as { n: number; r: number; p: number; salt: string };
  const derived = scryptSync(PASSWORD, Buffer.from(p.salt, 'hex'), 32, { N: p.n, r: p.r, p: p.p });
  const cipher = createCipheriv(
    'aes-128-ctr',
    derived.subarray(0, 16),
    Buffer.from(good.crypto.cipherparams.iv, 'hex'),
  );
  const ciphertext = Buffer.concat([cipher.update(Buffer.from(bytes.slice(2), 'hex')), cipher.final()]);
  const mac = keccak256(Buffer.concat([derived.subarray(16, 32), ciphertext])).slice(2);
  const { address: _address, ...rest } = good;
  return JSON.stringify({ ...rest, crypto: { ...good.crypto, ciphertext: ciphertext.toString('hex'), mac } });
}

describe('a key where patchgate wants a name: exit 2, never repeated', () => {
  const key = KEY_ENV.OWNER1_KEY;
  const digest = `0x${'ab'.repeat(32)}`;
  const notPrinted = (r: CliResult, value: string) => {
    const hex = value.replace(/^0x/, '').toLowerCase();
    const text = `${r.stdout}\n${r.stderr}`.toLowerCase();
    expect(text).not.toContain(hex.slice(0, 32));
    expect(text).not.toContain(hex.slice(32));
    expect(text).not.toMatch(/got \d|at .*\.js:\d+/);
  };

  it.each([
    ['--key-env 0x<key>', ['approve', digest, '--key-env', key]],
    ['--key-env <key without 0x>', ['approve', digest, '--key-env', key.slice(2)]],
    ['--key-env <KEY in upper case>', ['approve', digest, '--key-env', key.slice(2).toUpperCase()]],
    ['--key-env <key, JSON output>', ['queue', digest, '--key-env', key, '--format', 'json']],
    ['--password-env <key>', ['approve', digest, '--keystore', 'owner.json', '--password-env', key]],
    ['--keystore <key>', ['approve', digest, '--keystore', key]],
    ['--approval <key>', ['approve', digest, '--approval', key]],
    ['log head --key-env <key>', ['log', 'head', '--key-env', key]],
    [
      'propose --guardian-key-env <key>',
      ['propose', '--patch', 'fix-flash-deposit', '--guardian-key-env', key],
    ],
  ])('%s', (_what, args) => {
    const r = pg(args, {}, args[0] !== 'log');
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(
      /^patchgate: --\w+(-\w+)* takes (the NAME of an environment variable, not the key itself|a file path, not a key)/,
    );
    // The refusal names the option the key was given to.
    const option = args[args.findIndex((a) => /[0-9a-fA-F]{32}/.test(a) && a !== digest) - 1];
    expect(r.stderr.startsWith(`patchgate: ${option} takes`)).toBe(true);
    notPrinted(r, key);
  });

  it.each([
    ['log verify --signer <key>', ['log', 'verify', '--file', 'x.jsonl', '--signer', key], '--signer'],
    ['audit <key as the proxy>', ['audit', key], 'proxy'],
    ['audit --gate <key>', ['audit', '0x0165878A594ca255338adfa4d48449f69242Eb8F', '--gate', key], '--gate'],
  ])('a key where an address belongs (%s): exit 2, never repeated', (_what, args, option) => {
    // audit keeps no state: run it as is, with the live node.
    const r = args[0] === 'audit' ? runCli([...args, '--rpc', live.anvil.rpcUrl]) : pg(args, {}, false);
    outputs.push({ command: args.join(' '), text: `${r.stdout}\n${r.stderr}` });
    expect([r.code, r.stderr.split('\n')[0]]).toEqual([
      2,
      `patchgate: ${option} takes an address (0x and 40 hex digits), and the value given looks like a private key (it is not printed)`,
    ]);
    notPrinted(r, key);
  });

  it.each([
    ['status', ['status', '--format', 'json']],
    ['verify', ['verify', digest, '--format', 'json']],
  ])(
    'an RPC URL with user:password@ (%s): exit 2 before any request, the password in no output',
    (_what, args) => {
      const r = runCli([
        ...args,
        '--rpc',
        'http://alice:s3cret-rpc-pass@127.0.0.1:1/',
        '--state-dir',
        join(work, 'none'),
      ]);
      outputs.push({ command: args.join(' '), text: `${r.stdout}\n${r.stderr}` });
      expect([r.code, r.stderr.split('\n')[0]]).toEqual([
        2,
        'patchgate: --rpc "http://***@127.0.0.1:1" carries credentials (user:password@) in the URL, which HTTP clients refuse',
      ]);
      expect(`${r.stdout}\n${r.stderr}`).not.toMatch(/s3cret-rpc-pass|alice/);
    },
  );

  it('--key-env holding a key typo (63 hex digits) is refused without echoing it', () => {
    const r = pg(['approve', digest, '--key-env', key.slice(0, -1)]);
    expect(r.code).toBe(2);
    notPrinted(r, key);
  });

  it.each([
    ['0', `0x${'00'.repeat(32)}`],
    ['the curve order n', `0x${SECP256K1_N.toString(16)}`],
    ['n + 1', `0x${(SECP256K1_N + 1n).toString(16)}`],
    ['2^256 − 1', `0x${'ff'.repeat(32)}`],
  ])('a variable holding %s: exit 2 (was exit 3 printing it), its value not printed', (_what, value) => {
    const r = pg(['approve', digest, '--key-env', 'BAD_KEY'], { BAD_KEY: value });
    expect([r.code, r.stderr.split('\n')[0]]).toEqual([
      2,
      'patchgate: environment variable BAD_KEY holds 32 bytes that are not a secp256k1 private key (0, or not below the curve order)',
    ]);
    notPrinted(r, value);
    if (BigInt(value) > 0n) expect(r.stderr).not.toContain(BigInt(value).toString().slice(0, 20));
  });

  it.each([
    ['0', `0x${'00'.repeat(32)}`],
    ['the curve order n', `0x${SECP256K1_N.toString(16)}`],
  ])('a keystore file holding %s: exit 2, its value not printed', (_what, value) => {
    const file = join(work, `bad-${value.slice(2, 8)}.json`);
    writeFileSync(file, keystoreAround(value));
    const r = pg(['approve', digest, '--keystore', file, '--password-env', 'PW']);
    expect([r.code, r.stderr.split('\n')[0]]).toEqual([
      2,
      `patchgate: keystore ${file} holds 32 bytes that are not a secp256k1 private key (0, or not below the curve order)`,
    ]);
    notPrinted(r, value);
  });
});
