/**
 * The watcher killed and restarted, end to end through the CLI: three unexplained upgrades in three blocks, a
 * watcher SIGKILLed the moment it printed its first alert, restarted on the same store; a webhook receiver that is
 * down the whole time, then comes back. Each upgrade is in the log exactly once, printed at most once, and
 * delivered to the receiver exactly once, signed — nothing doubled, nothing lost.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Hex } from 'viem';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openPglite } from '../src/store/db.js';
import { openLedger } from '../src/store/ledger-store.js';
import { verifyWebhook } from '../src/watch/sinks/sign.js';
import { runCliAsync } from './helpers/cli-async.js';
import { type LiveExample, startLiveExample } from './helpers/live.js';
import { type Receiver, startReceiver } from './helpers/receiver.js';
import { freshState, leakedKeyUpgrade, startWatcher, until, watchLines } from './helpers/watch.js';

const SECRET = 'test-webhook-secret-0123456789abcdef';

let live: LiveExample;
let receiver: Receiver;
beforeAll(async () => {
  live = await startLiveExample();
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver?.stop();
  await live?.anvil.stop();
});

it('killed mid-run and restarted, with its webhook down then up: every alert logged once, delivered once, none lost', async () => {
  const upgrades = [await leakedKeyUpgrade(live), await leakedKeyUpgrade(live), await leakedKeyUpgrade(live)];
  const first = upgrades[0]?.block as bigint;
  const last = upgrades[2]?.block as bigint;
  await receiver.stop(); // down from the start
  const config = JSON.parse(readFileSync(join(live.configDir, 'patchgate.config.json'), 'utf8'));
  config.watch = {
    ...config.watch,
    webhooks: [{ name: 'ops', url: receiver.url, kind: 'json', secretEnv: 'WEBHOOK_SECRET' }],
  };
  const configFile = join(live.configDir, 'restart.config.json');
  writeFileSync(configFile, JSON.stringify(config));
  const stateDir = freshState(live);
  const args = [
    'watch',
    '--rpc',
    live.anvil.rpcUrl,
    '--config',
    configFile,
    '--state-dir',
    stateDir,
    '--format',
    'json',
    '--from',
    String(first),
  ];
  const env = { WEBHOOK_SECRET: SECRET };

  // 1. Killed the moment it printed its first alert.
  const killed = startWatcher(args.slice(1), env);
  await until('the first alert', () => killed.stdout().includes('"event":"alert"'));
  killed.child.kill('SIGKILL');
  await killed.done;

  // 2. Restarted to the last block, the receiver still down: the deliveries fail and are kept.
  const restarted = await runCliAsync([...args, '--until', String(last)], { env });
  expect(restarted.stderr).toBe('');
  expect(restarted.code).toBe(0);

  // 3. The receiver is back; a watcher running on the same store delivers what was kept.
  await receiver.start();
  const resumed = startWatcher(args.slice(1), env);
  await until('three upgrades delivered', () => delivered().length >= 3);
  resumed.child.kill('SIGTERM');
  expect((await resumed.done).code).toBe(0);

  // Logged exactly once each.
  const db = await openPglite(join(stateDir, 'db'));
  try {
    const entries = (await await openLedger(db, { origin: 'patchgate' }).then((l) => l.entries()))
      .map((r) => JSON.parse(r.entry) as { kind: string; rule?: string; txHash?: Hex })
      .filter((e) => e.kind === 'alert' && e.rule === 'upgrades');
    expect(entries.map((e) => e.txHash).sort()).toEqual(upgrades.map((u) => u.hash).sort());
  } finally {
    await db.close();
  }
  // Printed at most once each across the killed and the restarted run.
  const printed = [...killed.lines(), ...watchLines(restarted.stdout)].flatMap((l) =>
    l.event === 'alert' ? [(l.alert as { tx?: Hex }).tx] : [],
  );
  expect(new Set(printed).size).toBe(printed.length);
  // Delivered exactly once each, signed with the secret.
  expect(
    delivered()
      .map((i) => i.txHash)
      .sort(),
  ).toEqual(upgrades.map((u) => u.hash).sort());
  for (const r of receiver.received) {
    expect(verifyWebhook(SECRET, r.headers, r.body, { maxAgeSeconds: 600 })).toMatchObject({ ok: true });
  }
});

/** The upgrade alerts the receiver got (single alerts and folded summaries). */
function delivered(): { txHash: Hex | null; logIndex: number }[] {
  return receiver.received
    .flatMap((r) => {
      const body = JSON.parse(r.body) as { type: string; alerts?: unknown[] } & Record<string, unknown>;
      return (body.type === 'summary' ? body.alerts : [body]) as {
        rule: string;
        txHash: Hex | null;
        logIndex: number;
      }[];
    })
    .filter((a) => a.rule === 'upgrades');
}
