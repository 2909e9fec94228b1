/**
 * Webhook sinks against real local receivers (node:http), reading a real transparency log in the store (PGlite):
 * signed JSON bodies in log order, a receiver down then up, 5xx and timeouts retried, a restart that resumes at the
 * stored position, the rate limit folding a flood into one summary, and the Slack body.
 */
import { createHash, createHmac } from 'node:crypto';
import { keccak256, toHex } from 'viem';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { canonicalEntry, type EntryInput } from '../src/ledger/entry.js';
import type { Db } from '../src/store/db.js';
import { openPglite } from '../src/store/db.js';
import { type Ledger, openLedger } from '../src/store/ledger-store.js';
import { openStore } from '../src/store/store.js';
import { secretFromEnv } from '../src/watch/sinks/options.js';
import { verifyWebhook } from '../src/watch/sinks/sign.js';
import { type SinkStep, webhookSink } from '../src/watch/sinks/webhook.js';
import { type Receiver, startReceiver } from './helpers/receiver.js';

const SECRET = 'whsec-5f1b2c9e8d7a6b5c4d3e2f1a0b9c8d7e';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let db: Db;
const receivers: Receiver[] = [];
beforeAll(async () => {
  db = await openPglite('memory://');
  await openStore(db); // the schema, watch_deliveries included
});
afterEach(async () => {
  for (const r of receivers.splice(0)) await r.stop();
});
afterAll(async () => {
  await db?.close();
});

async function setup(origin: string, path?: string): Promise<{ ledger: Ledger; receiver: Receiver }> {
  const receiver = await startReceiver(path);
  receivers.push(receiver);
  return { ledger: await openLedger(db, { origin: `test.example/${origin}` }), receiver };
}

type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';
const alert = (n: number, severity: Severity = 'high', message = `alert ${n}`): EntryInput => ({
  kind: 'alert',
  digest: keccak256(toHex(`alert-${n}`)),
  at: `2026-11-02T10:00:${String(n).padStart(2, '0')}.000Z`,
  rule: 'upgrades',
  severity,
  message,
  blockNumber: 100 + n,
  txHash: keccak256(toHex(`tx-${n}`)),
});
const evidence: EntryInput = {
  kind: 'evidence',
  digest: keccak256(toHex('patch')),
  at: '2026-11-02T09:00:00.000Z',
  stage: 'check',
  hash: keccak256(toHex('report')),
  verdict: 'pass',
};

/** What a receiver should get for the entry at `index`, computed here from the entry itself (RFC 9162 leaf hash). */
function item(index: number, input: EntryInput) {
  const { json } = canonicalEntry(input);
  const e = JSON.parse(json) as Record<string, string>;
  return {
    logIndex: index,
    leafHash: `0x${createHash('sha256')
      .update(Buffer.from([0]))
      .update(json)
      .digest('hex')}`,
    digest: e.digest,
    rule: e.rule,
    severity: e.severity,
    message: e.message,
    blockNumber: e.blockNumber ?? null,
    txHash: e.txHash ?? null,
    at: e.at,
  };
}
const bodies = (r: Receiver) => r.received.map((x) => JSON.parse(x.body) as Record<string, unknown>);
const indexes = (r: Receiver) => bodies(r).map((b) => b.logIndex);

describe('json sink', () => {
  it('POSTs each alert at or above minSeverity in log order, signed with HMAC-SHA256 over timestamp "." body', async () => {
    const { ledger, receiver } = await setup('json-order');
    const entries = [alert(1, 'critical'), evidence, alert(2, 'medium'), alert(3, 'low'), alert(4, 'high')];
    await ledger.appendMany(entries);
    const sink = webhookSink(
      { db, ledger },
      { name: 'ops', url: receiver.url, kind: 'json', secret: SECRET, minSeverity: 'medium' },
    );
    expect(await sink.step()).toEqual({ delivered: 3, messages: 3, position: 5 });
    const origin = 'test.example/json-order';
    expect(bodies(receiver)).toEqual([
      { type: 'alert', origin, ...item(0, entries[0] as EntryInput) },
      { type: 'alert', origin, ...item(2, entries[2] as EntryInput) },
      { type: 'alert', origin, ...item(4, entries[4] as EntryInput) },
    ]);
    const nowSeconds = Date.now() / 1000;
    for (const r of receiver.received) {
      expect(r.method).toBe('POST');
      expect(r.path).toBe('/hook');
      expect(r.headers['content-type']).toBe('application/json');
      const ts = String(r.headers['x-patchgate-timestamp']);
      expect(Math.abs(Number(ts) - nowSeconds)).toBeLessThan(60);
      const mac = createHmac('sha256', SECRET).update(`${ts}.${r.body}`).digest('hex');
      expect(r.headers['x-patchgate-signature']).toBe(`sha256=${mac}`);
      expect(verifyWebhook(SECRET, r.headers, r.body, { maxAgeSeconds: 300 })).toEqual({
        ok: true,
        timestamp: Number(ts),
      });
      expect(verifyWebhook('another secret', r.headers, r.body, { maxAgeSeconds: 300 })).toEqual({
        ok: false,
        reason: 'bad-signature',
      });
    }
    // Caught up: nothing is sent twice.
    expect(await sink.step()).toEqual({ delivered: 0, messages: 0, position: 5 });
    expect(receiver.received).toHaveLength(3);
  });

  it('options passed as undefined take their defaults: every severity is delivered', async () => {
    const { ledger, receiver } = await setup('defaults');
    await ledger.appendMany([alert(1, 'info'), alert(2, 'critical')]);
    const sink = webhookSink(
      { db, ledger },
      {
        name: 'ops',
        url: receiver.url,
        kind: 'json',
        secret: SECRET,
        minSeverity: undefined,
        maxPerMinute: undefined,
        timeoutMs: undefined,
      },
    );
    expect(await sink.step()).toEqual({ delivered: 2, messages: 2, position: 2 });
    expect(indexes(receiver)).toEqual([0, 1]);
  });

  it('a receiver that is down, then up: every alert delivered once, in order, after backoff', async () => {
    const { ledger, receiver } = await setup('down-up');
    await receiver.stop();
    await ledger.appendMany([alert(1), alert(2), evidence, alert(3)]);
    const sink = webhookSink(
      { db, ledger },
      { name: 'ops', url: receiver.url, kind: 'json', secret: SECRET },
      { backoff: { baseMs: 40, maxMs: 80 } },
    );
    const down = await sink.step();
    expect(down).toEqual({
      delivered: 0,
      messages: 0,
      position: 0,
      failure: `${receiver.url}: connection refused`,
      waitMs: expect.any(Number),
    });
    expect(down.waitMs).toBeGreaterThanOrEqual(10);
    expect(down.waitMs).toBeLessThanOrEqual(40);
    const second = await sink.step(); // still backing off: no attempt
    expect(second).toMatchObject({ delivered: 0, position: 0 });
    expect(second.failure).toBeUndefined();

    await sleep(100);
    expect((await sink.step()).failure).toBe(`${receiver.url}: connection refused`);
    await receiver.start();
    const steps: SinkStep[] = [];
    const stop = new AbortController();
    const guard = setTimeout(() => stop.abort(), 20_000);
    await sink.run({
      signal: stop.signal,
      idleMs: 10,
      onStep: (s) => {
        steps.push(s);
        if (s.position === 4) stop.abort();
      },
    });
    clearTimeout(guard);
    expect(indexes(receiver)).toEqual([0, 1, 3]);
    expect(steps.at(-1)).toEqual({ delivered: 3, messages: 3, position: 4 });
  });

  it('a 5xx and a timeout are retried; the position moves only on the 2xx', async () => {
    const { ledger, receiver } = await setup('retry');
    let n = 0;
    receiver.answer = (_req, res) => {
      n++;
      if (n === 1) res.writeHead(503).end('busy');
      else if (n === 3) res.writeHead(200).end('ok');
      // n === 2: never answers
    };
    await ledger.append(alert(1, 'critical'));
    const sink = webhookSink(
      { db, ledger },
      { name: 'ops', url: receiver.url, kind: 'json', secret: SECRET, timeoutMs: 300 },
      { backoff: { baseMs: 10, maxMs: 20 } },
    );
    const first = await sink.step();
    expect(first).toMatchObject({ delivered: 0, position: 0, failure: `${receiver.url}: HTTP 503` });
    // A timer may fire a millisecond before Date.now() reaches the retry time: wait a little past it.
    await sleep((first.waitMs ?? 0) + 5);
    const second = await sink.step();
    expect(second).toMatchObject({
      delivered: 0,
      position: 0,
      failure: `${receiver.url}: timed out after 300 ms`,
    });
    await sleep((second.waitMs ?? 0) + 5);
    expect(await sink.step()).toEqual({ delivered: 1, messages: 1, position: 1 });
    // Three tries of the same body (at-least-once: the receiver dedups on logIndex + leafHash), each signed.
    expect(receiver.received).toHaveLength(3);
    expect(new Set(receiver.received.map((r) => r.body)).size).toBe(1);
    for (const r of receiver.received) {
      expect(verifyWebhook(SECRET, r.headers, r.body, { maxAgeSeconds: 300 }).ok).toBe(true);
    }
  });

  it('a restart (a new sink on the same store) resumes at the stored position; another sink keeps its own', async () => {
    const { ledger, receiver } = await setup('restart');
    await ledger.appendMany([alert(1), alert(2)]);
    const options = { name: 'ops', url: receiver.url, kind: 'json', secret: SECRET } as const;
    expect(await webhookSink({ db, ledger }, options).step()).toMatchObject({ delivered: 2, position: 2 });
    await ledger.appendMany([alert(3), alert(4)]);
    expect(await webhookSink({ db, ledger }, options).step()).toEqual({
      delivered: 2,
      messages: 2,
      position: 4,
    });
    expect(indexes(receiver)).toEqual([0, 1, 2, 3]);
    expect(await webhookSink({ db, ledger }, { ...options, name: 'audit-room' }).step()).toMatchObject({
      delivered: 4,
      position: 4,
    });
    expect(indexes(receiver)).toEqual([0, 1, 2, 3, 0, 1, 2, 3]);
  });

  it('beyond maxPerMinute nothing is dropped: the waiting alerts go as one summary when the window reopens', async () => {
    const { ledger, receiver } = await setup('rate');
    const entries = [alert(1), alert(2), alert(3), alert(4, 'critical'), alert(5)];
    await ledger.appendMany(entries);
    let clock = 1_000_000;
    const sink = webhookSink(
      { db, ledger },
      { name: 'ops', url: receiver.url, kind: 'json', secret: SECRET, maxPerMinute: 2 },
      { now: () => clock },
    );
    expect(await sink.step()).toEqual({
      delivered: 2,
      messages: 2,
      position: 2,
      limited: true,
      waitMs: 60_000,
    });
    const late = alert(6, 'low');
    await ledger.append(late);
    clock += 30_000;
    expect(await sink.step()).toEqual({
      delivered: 0,
      messages: 0,
      position: 2,
      limited: true,
      waitMs: 30_000,
    });
    expect(indexes(receiver)).toEqual([0, 1]);

    clock += 30_000;
    expect(await sink.step()).toEqual({ delivered: 4, messages: 1, position: 6 });
    const origin = 'test.example/rate';
    expect(bodies(receiver)[2]).toEqual({
      type: 'summary',
      origin,
      count: 4,
      message: '4 more alerts: 1 critical, 2 high, 1 low (log #2–#5)',
      alerts: [
        item(2, entries[2] as EntryInput),
        item(3, entries[3] as EntryInput),
        item(4, entries[4] as EntryInput),
        item(5, late),
      ],
    });
    const summary = receiver.received[2];
    expect(summary && verifyWebhook(SECRET, summary.headers, summary.body, { maxAgeSeconds: 300 }).ok).toBe(
      true,
    );
    // The window has room for one more single alert, then limits again.
    await ledger.appendMany([alert(7), alert(8)]);
    expect(await sink.step()).toEqual({
      delivered: 1,
      messages: 1,
      position: 7,
      limited: true,
      waitMs: 60_000,
    });
    expect(bodies(receiver)[3]).toEqual({ type: 'alert', origin, ...item(6, alert(7)) });
  });
});

describe('slack sink', () => {
  it('POSTs a Slack incoming-webhook body {text, blocks}, unsigned; a flood folds into one summary', async () => {
    const { ledger, receiver } = await setup('slack', '/services/T0001/B0001/abcdefghijklmnopqrstuvwx');
    await ledger.appendMany([
      alert(1, 'critical', 'Upgraded to 0xBEEF'),
      alert(2, 'high'),
      alert(3, 'critical'),
    ]);
    let clock = 5_000_000;
    const sink = webhookSink(
      { db, ledger },
      { name: 'slack', url: receiver.url, kind: 'slack', maxPerMinute: 1 },
      { now: () => clock },
    );
    expect(await sink.step()).toMatchObject({ delivered: 1, position: 1, limited: true });
    const text = `[critical] upgrades: Upgraded to 0xBEEF (block 101, tx ${keccak256(toHex('tx-1'))})`;
    expect(bodies(receiver)).toEqual([
      {
        text,
        blocks: [
          { type: 'section', text: { type: 'mrkdwn', text } },
          { type: 'context', elements: [{ type: 'mrkdwn', text: 'patchgate · log #0' }] },
        ],
      },
    ]);
    expect(receiver.received[0]?.headers['x-patchgate-signature']).toBeUndefined();
    expect(receiver.received[0]?.headers['x-patchgate-timestamp']).toBeUndefined();

    clock += 60_000;
    expect(await sink.step()).toEqual({ delivered: 2, messages: 1, position: 3 });
    const summary = [
      '2 more alerts: 1 critical, 1 high (log #1–#2)',
      `[high] upgrades: alert 2 (block 102, tx ${keccak256(toHex('tx-2'))})`,
      `[critical] upgrades: alert 3 (block 103, tx ${keccak256(toHex('tx-3'))})`,
    ].join('\n');
    expect(bodies(receiver)[1]).toEqual({
      text: summary,
      blocks: [
        { type: 'section', text: { type: 'mrkdwn', text: summary } },
        { type: 'context', elements: [{ type: 'mrkdwn', text: 'patchgate · log #1–#2' }] },
      ],
    });
  });
});

describe('sink options', () => {
  const base = { name: 'ops', url: 'https://hooks.example.com/x', kind: 'json', secret: SECRET } as const;
  const ledger = { origin: 'o', entries: async () => [] };
  const refused = (options: Parameters<typeof webhookSink>[1]) => {
    try {
      webhookSink({ db, ledger }, options);
    } catch (e) {
      const err = e as { code: string; shortMessage: string };
      return [err.code, err.shortMessage];
    }
    return undefined;
  };

  it('refuses a json sink without a secret, a non-http URL, a URL with a password, and limits out of range', () => {
    expect(refused({ ...base, secret: undefined })).toEqual([
      'webhook-secret-missing',
      'sink "ops" (kind json) has no secret: its deliveries would be unsigned',
    ]);
    expect(refused({ ...base, url: 'ftp://hooks.example.com/x' })).toEqual([
      'bad-webhook-url',
      'sink "ops": url "ftp://hooks.example.com/x" is not an http(s) URL',
    ]);
    expect(refused({ ...base, url: 'https://bot:hunter2@hooks.example.com/x' })).toEqual([
      'bad-webhook-url',
      'sink "ops": url "https://***@hooks.example.com/x" has a user or password in it (not printed)',
    ]);
    expect(refused({ ...base, maxPerMinute: 0 })).toEqual([
      'bad-webhook-sink',
      'sink "ops": maxPerMinute 0 is not a whole number in 1–10000',
    ]);
    expect(refused({ ...base, timeoutMs: 1.5 })).toEqual([
      'bad-webhook-sink',
      'sink "ops": timeoutMs 1.5 is not a whole number in 1–300000',
    ]);
    expect(refused({ ...base, minSeverity: 'severe' as 'high' })).toEqual([
      'bad-webhook-sink',
      'sink "ops": minSeverity "severe" is not one of critical, high, medium, low, info',
    ]);
    expect(refused({ ...base, kind: 'xml' as 'json' })).toEqual([
      'bad-webhook-sink',
      'sink "ops": kind "xml" is not json or slack',
    ]);
    expect(refused({ ...base, kind: 'slack', secret: undefined })).toBeUndefined();
  });

  it('reads the secret from the variable secretEnv names, refusing an unset or empty one by name', () => {
    expect(secretFromEnv('ops', 'HOOK_SECRET', { HOOK_SECRET: SECRET })).toBe(SECRET);
    expect(() => secretFromEnv('ops', 'HOOK_SECRET', {})).toThrow(
      'sink "ops": the environment variable HOOK_SECRET (its secretEnv) is not set',
    );
    expect(() => secretFromEnv('ops', 'HOOK_SECRET', { HOOK_SECRET: '' })).toThrow(
      'HOOK_SECRET (its secretEnv) is empty',
    );
    expect(() => secretFromEnv('ops', SECRET, {})).toThrow('the value given is not one (it is not printed)');
  });
});
