/**
 * Attacks on alert delivery: a captured webhook replayed later or re-stamped, the sink's secret hunted for in
 * everything it says, a receiver that redirects the signed body to another host, a Slack URL's token, and an alert
 * message carrying Slack markup. Real local receivers (node:http) and a real log in the store (PGlite).
 */
import { keccak256, toHex } from 'viem';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { isPatchgateError } from '../../src/core/errors.js';
import type { EntryInput } from '../../src/ledger/entry.js';
import { type Db, openPglite } from '../../src/store/db.js';
import { type Ledger, openLedger } from '../../src/store/ledger-store.js';
import { openStore } from '../../src/store/store.js';
import { secretFromEnv } from '../../src/watch/sinks/options.js';
import { verifyWebhook } from '../../src/watch/sinks/sign.js';
import { webhookSink } from '../../src/watch/sinks/webhook.js';
import { type Receiver, startReceiver } from '../helpers/receiver.js';

const SECRET = 'k9Vd2LqXr7TzW4pN8mB1cF6hJ3sY5gE0aU';
const SLACK_TOKEN = 'Zq8Xv2Lp9Rt4Wm7Ns1Kd6Hf3';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let db: Db;
const receivers: Receiver[] = [];
beforeAll(async () => {
  db = await openPglite('memory://');
  await openStore(db);
});
afterEach(async () => {
  for (const r of receivers.splice(0)) await r.stop();
});
afterAll(async () => {
  await db?.close();
});

async function receiver(path?: string): Promise<Receiver> {
  const r = await startReceiver(path);
  receivers.push(r);
  return r;
}
async function logWith(origin: string, ...entries: EntryInput[]): Promise<Ledger> {
  const ledger = await openLedger(db, { origin: `attack.example/${origin}` });
  await ledger.appendMany(entries);
  return ledger;
}
const alert = (n: number, message = `vault drained ${n}`): EntryInput => ({
  kind: 'alert',
  digest: keccak256(toHex(`alert-${n}`)),
  at: '2026-11-02T10:00:00.000Z',
  rule: 'outflows',
  severity: 'critical',
  message,
  blockNumber: 100 + n,
});

describe('webhook sinks under attack', () => {
  it('a replayed webhook body with an old timestamp is refused by verifyWebhook, and cannot be re-stamped', async () => {
    const r = await receiver();
    const ledger = await logWith('replay', alert(1));
    await webhookSink({ db, ledger }, { name: 'ops', url: r.url, kind: 'json', secret: SECRET }).step();
    const [captured] = r.received;
    if (!captured) throw new Error('nothing delivered');
    const ts = Number(captured.headers['x-patchgate-timestamp']);
    const check = (
      headers: Parameters<typeof verifyWebhook>[1] = captured.headers,
      body = captured.body,
      nowSeconds = ts,
    ) => verifyWebhook(SECRET, headers, body, { maxAgeSeconds: 300, nowSeconds });

    expect(check()).toEqual({ ok: true, timestamp: ts });
    expect(check(undefined, undefined, ts + 300)).toEqual({ ok: true, timestamp: ts });
    // Replayed six minutes later, byte for byte: refused.
    expect(check(undefined, undefined, ts + 301)).toEqual({ ok: false, reason: 'stale' });
    // A clock far ahead is as suspect as one behind.
    expect(check(undefined, undefined, ts - 301)).toEqual({ ok: false, reason: 'stale' });
    // Re-stamped with a fresh timestamp but the old signature: the timestamp is inside the MAC.
    const restamped = { ...captured.headers, 'x-patchgate-timestamp': String(ts + 400) };
    expect(check(restamped, undefined, ts + 400)).toEqual({ ok: false, reason: 'bad-signature' });
    // The body edited (another block), signature kept.
    expect(check(undefined, captured.body.replace('"101"', '"102"'))).toEqual({
      ok: false,
      reason: 'bad-signature',
    });
    // Headers stripped, or sent twice.
    expect(check({ 'x-patchgate-signature': captured.headers['x-patchgate-signature'] })).toEqual({
      ok: false,
      reason: 'missing-headers',
    });
    const twice = {
      ...captured.headers,
      'x-patchgate-signature': ['sha256=00', String(captured.headers['x-patchgate-signature'])],
    };
    expect(check(twice)).toEqual({ ok: false, reason: 'missing-headers' });
    // The same check through the Fetch API's Headers.
    const fetchHeaders = new Headers({
      'X-Patchgate-Timestamp': String(ts),
      'X-Patchgate-Signature': String(captured.headers['x-patchgate-signature']),
    });
    expect(check(fetchHeaders)).toEqual({ ok: true, timestamp: ts });
  });

  it('the webhook secret never appears in any error, step report, request or console output', async () => {
    const written: string[] = [];
    const capture = (chunk: unknown) => {
      written.push(String(chunk));
      return true;
    };
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(capture);
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(capture);
    const said: string[] = [];
    try {
      const target = await receiver();
      const elsewhere = await receiver('/elsewhere');
      let n = 0;
      target.answer = (_req, res) => {
        n++;
        if (n === 1)
          res.writeHead(500).end(`error: ${SECRET}`); // a receiver echoing things back
        else if (n === 2) res.writeHead(307, { location: elsewhere.url }).end();
        // then: never answers (timeout)
      };
      const ledger = await logWith('secret', alert(1));
      const sink = webhookSink(
        { db, ledger },
        { name: 'ops', url: target.url, kind: 'json', secret: SECRET, timeoutMs: 200 },
        { backoff: { baseMs: 5, maxMs: 5 } },
      );
      for (let k = 0; k < 3; k++) {
        said.push(JSON.stringify(await sink.step()));
        await sleep(10);
      }
      await target.stop();
      said.push(JSON.stringify(await sink.step()));
      expect(said.map((s) => (JSON.parse(s) as { failure: string }).failure)).toEqual([
        `${target.url}: HTTP 500`,
        `${target.url}: HTTP 307 redirect to ${elsewhere.host}, not followed (point the sink at the final URL)`,
        `${target.url}: timed out after 200 ms`,
        expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/hook: (connection refused|connection dropped)$/),
      ]);
      // Refusals that involve the secret: a URL carrying it as a password; a secretEnv given the secret itself.
      for (const attempt of [
        () =>
          webhookSink(
            { db, ledger },
            { name: 'ops', url: `https://bot:${SECRET}@hooks.example.com/x`, kind: 'json', secret: SECRET },
          ),
        () => secretFromEnv('ops', SECRET, {}),
        () =>
          webhookSink(
            { db, ledger },
            {
              name: 'ops',
              url: 'https://hooks.example.com/x',
              kind: 'json',
              secret: SECRET,
              maxPerMinute: -1,
            },
          ),
      ]) {
        try {
          attempt();
          said.push('no error');
        } catch (e) {
          if (!isPatchgateError(e)) throw e;
          said.push(e.message, e.shortMessage, e.hint ?? '', e.stack ?? '', ...e.details);
        }
      }
      expect(said).not.toContain('no error');
      for (const r of [...target.received, ...elsewhere.received]) {
        said.push(JSON.stringify(r.headers), r.body);
      }
      expect(target.received.length).toBe(3);
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
    const everything = [...said, ...written].join('\n');
    expect(everything).not.toContain(SECRET);
    expect(everything).not.toContain(SECRET.slice(0, 12));
  });

  it('a receiver that redirects to another host is not followed: the signed body stays here and the alert undelivered', async () => {
    const attacker = await receiver('/steal');
    for (const status of [301, 302, 303, 307, 308]) {
      const r = await receiver();
      r.answer = (_req, res) => res.writeHead(status, { location: attacker.url }).end();
      const ledger = await logWith(`redirect-${status}`, alert(1));
      const step = await webhookSink(
        { db, ledger },
        { name: 'ops', url: r.url, kind: 'json', secret: SECRET },
      ).step();
      expect(step).toEqual({
        delivered: 0,
        messages: 0,
        position: 0,
        failure: `${r.url}: HTTP ${status} redirect to ${attacker.host}, not followed (point the sink at the final URL)`,
        waitMs: expect.any(Number),
      });
      expect(r.received).toHaveLength(1);
    }
    expect(attacker.received).toEqual([]);
  });

  it("a Slack webhook URL's token is never printed whole", async () => {
    const r = await receiver(`/services/T0001/B0001/${SLACK_TOKEN}`);
    await r.stop();
    const ledger = await logWith('slack-token', alert(1));
    const step = await webhookSink({ db, ledger }, { name: 'slack', url: r.url, kind: 'slack' }).step();
    expect(step.failure).toBe(
      `http://${r.host}/services/T0001/B0001/${SLACK_TOKEN.slice(0, 4)}…: connection refused`,
    );
    expect(JSON.stringify(step)).not.toContain(SLACK_TOKEN);
    let refusal = '';
    try {
      webhookSink(
        { db, ledger },
        { name: 'slack', url: `hooks.slack.com/services/T0001/B0001/${SLACK_TOKEN}`, kind: 'slack' },
      );
    } catch (e) {
      refusal = isPatchgateError(e) ? `${e.message}` : String(e);
    }
    expect(refusal).toBe(
      `sink "slack": url "hooks.slack.com/services/T0001/B0001/${SLACK_TOKEN.slice(0, 4)}…" is not an http(s) URL\ne.g. https://hooks.example.com/patchgate`,
    );
  });

  it('an alert message carrying Slack markup cannot mention the channel or forge a link', async () => {
    const r = await receiver('/services/T0001/B0001/x');
    const ledger = await logWith(
      'markup',
      alert(1, '<!channel> refunds at <https://evil.example|app.uniswap.org> & now'),
    );
    await webhookSink({ db, ledger }, { name: 'slack', url: r.url, kind: 'slack' }).step();
    const body = JSON.parse(r.received[0]?.body ?? '{}') as {
      text: string;
      blocks: { text?: { text: string } }[];
    };
    const shown =
      '[critical] outflows: &lt;!channel&gt; refunds at &lt;https://evil.example|app.uniswap.org&gt; &amp; now (block 101)';
    expect(body.text).toBe(shown);
    expect(body.blocks[0]?.text?.text).toBe(shown);
    expect(r.received[0]?.body).not.toMatch(/<!channel>|<https:/);
  });
});
