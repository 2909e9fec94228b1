/**
 * `patchgate watch` end to end on the bundled example (real Safe, timelock, proxies on one anvil), the CLI in a
 * child process: an upgrade by a leaked ProxyAdmin owner key behind the timelock's back is alerted and the vault
 * paused by the guardian in the next block; `--dry-run` alerts and sends nothing; a restarted watcher judges
 * nothing twice; an operation no patch proposed, scheduled on the timelock by the Safe, is cancelled by the
 * canceller key within the review window.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeFunctionData, type Hex, keccak256, parseAbi, toHex } from 'viem';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { TIMELOCK_ABI } from '../src/core/abis.js';
import { accountFor } from '../src/system/model.js';
import { runCliAsync } from './helpers/cli-async.js';
import { scheduleThroughSafe } from './helpers/governance.js';
import { KEY_ENV, type LiveExample, startLiveExample } from './helpers/live.js';
import { freshState, leakedKeyUpgrade, watchLines } from './helpers/watch.js';

const PAUSABLE = parseAbi(['function paused() view returns (bool)']);

let live: LiveExample;
let base: Hex;
beforeAll(async () => {
  live = await startLiveExample();
  base = await live.clients.test.snapshot();
});
afterAll(async () => {
  await live?.anvil.stop();
});
beforeEach(async () => {
  expect(await live.clients.public.request({ method: 'evm_revert' as never, params: [base] as never })).toBe(
    true,
  );
  base = await live.clients.test.snapshot();
});

const vault = () => live.system.contracts.get('vault')?.address as Hex;

function watchArgs(stateDir: string, block: bigint, extra: string[] = []): string[] {
  return [
    'watch',
    '--rpc',
    live.anvil.rpcUrl,
    '--config',
    join(live.configDir, 'patchgate.config.json'),
    '--state-dir',
    stateDir,
    '--from',
    String(block),
    '--until',
    String(block),
    '--format',
    'json',
    ...extra,
  ];
}

const events = watchLines;

it('alerts on an upgrade by a leaked ProxyAdmin owner key and pauses the vault through the guardian', async () => {
  const { hash, block } = await leakedKeyUpgrade(live);
  const stateDir = freshState(live);
  const r = await runCliAsync(watchArgs(stateDir, block, ['--key-env', 'GUARDIAN_KEY']), { env: KEY_ENV });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const out = events(r.stdout);
  const alert = out.find((e) => e.event === 'alert')?.alert as Record<string, unknown>;
  expect(alert).toMatchObject({
    rule: 'upgrades',
    id: 'audit-unexplained-upgrade',
    severity: 'critical',
    tx: hash,
  });
  const pause = out.find((e) => e.event === 'pause') as { outcomes: { target: string; status: string }[] };
  expect(pause.outcomes.find((o) => o.target === vault())?.status).toBe('sent');
  expect(
    await live.clients.public.readContract({ address: vault(), abi: PAUSABLE, functionName: 'paused' }),
  ).toBe(true);

  // Restarted on the same store: nothing judged twice, nothing sent twice.
  const again = await runCliAsync(watchArgs(stateDir, block, ['--key-env', 'GUARDIAN_KEY']), {
    env: KEY_ENV,
  });
  expect(again.code).toBe(0);
  expect(events(again.stdout).map((e) => e.event)).toEqual(['started', 'leader']);
});

it('--dry-run alerts and sends nothing', async () => {
  const { block } = await leakedKeyUpgrade(live);
  const stateDir = freshState(live);
  const r = await runCliAsync(watchArgs(stateDir, block, ['--key-env', 'GUARDIAN_KEY', '--dry-run']), {
    env: KEY_ENV,
  });
  expect(r.code).toBe(0);
  const out = events(r.stdout);
  expect(out.filter((e) => e.event === 'alert')).toHaveLength(1);
  const pause = out.find((e) => e.event === 'pause') as { outcomes: { status: string }[] };
  expect(pause.outcomes.every((o) => o.status === 'dry-run')).toBe(true);
  expect(
    await live.clients.public.readContract({ address: vault(), abi: PAUSABLE, functionName: 'paused' }),
  ).toBe(false);
});

it('cancels an operation no patch proposed, scheduled through the Safe, within the review window', async () => {
  const timelock = live.system.governance.timelock;
  const grant = encodeFunctionData({
    abi: parseAbi(['function grantRole(bytes32 role, address account)']),
    functionName: 'grantRole',
    args: [keccak256(toHex('PROPOSER_ROLE')), accountFor('attacker').address],
  });
  const op = await scheduleThroughSafe(
    live,
    [{ target: timelock, data: grant }],
    keccak256(toHex('takeover')),
  );
  const stateDir = freshState(live);
  const r = await runCliAsync(
    watchArgs(stateDir, op.receipt.blockNumber, [
      '--key-env',
      'GUARDIAN_KEY',
      '--canceller-key-env',
      'CANCELLER_KEY',
    ]),
    { env: KEY_ENV },
  );
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const out = events(r.stdout);
  const alert = out.find(
    (e) => (e.alert as { id?: string } | undefined)?.id === 'watch-unproposed-operation',
  );
  expect(alert).toBeDefined();
  const cancel = out.find((e) => e.event === 'cancel') as { operation: Hex; txHash: Hex; already: boolean };
  expect(cancel).toMatchObject({ operation: op.id, already: false });
  expect((await live.clients.public.getTransactionReceipt({ hash: cancel.txHash })).status).toBe('success');
  expect(
    await live.clients.public.readContract({
      address: timelock,
      abi: TIMELOCK_ABI,
      functionName: 'isOperationPending',
      args: [op.id],
    }),
  ).toBe(false);
});

it('runs a custom rule module from the config, its alerts logged and printed like the built-in ones', async () => {
  const { hash, block } = await leakedKeyUpgrade(live);
  const dir = mkdtempSync(join(tmpdir(), 'pg-watch-rule-'));
  writeFileSync(
    join(dir, 'busy-block.mjs'),
    `export default ({ client, options }) => ({
  name: 'busy-block',
  async evaluate(block) {
    const b = await client.getBlock({ blockHash: block.hash });
    return b.transactions.length >= options.min
      ? [{ id: 'watch-custom', severity: 'low', title: 'Busy block', message: \`\${b.transactions.length} transactions\`, blocking: false, key: 'busy', tx: b.transactions[0] }]
      : [];
  },
});
`,
  );
  const config = JSON.parse(readFileSync(join(live.configDir, 'patchgate.config.json'), 'utf8'));
  config.watch = { ...config.watch, custom: [{ module: join(dir, 'busy-block.mjs'), options: { min: 1 } }] };
  const file = join(dir, 'patchgate.config.json');
  writeFileSync(file, JSON.stringify(config));
  const args = watchArgs(freshState(live), block).map((a, i, all) => (all[i - 1] === '--config' ? file : a));
  const r = await runCliAsync(args, { env: KEY_ENV });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const custom = events(r.stdout).find(
    (e) => (e.alert as { rule?: string } | undefined)?.rule === 'busy-block',
  );
  expect(custom?.alert).toMatchObject({ rule: 'busy-block', id: 'watch-custom', severity: 'low', tx: hash });
});

it('a pause rule that throws on every block fails closed: reported once (watch-rule-failed), the vault paused, the watcher goes on', async () => {
  await live.clients.test.mine({ blocks: 1 });
  const block = await live.clients.public.getBlockNumber({ cacheTime: 0 });
  const dir = mkdtempSync(join(tmpdir(), 'pg-watch-rule-'));
  writeFileSync(
    join(dir, 'broken.mjs'),
    `export default () => ({
  name: 'broken',
  async evaluate(block) {
    return block.nothing.here;
  },
});
`,
  );
  const config = JSON.parse(readFileSync(join(live.configDir, 'patchgate.config.json'), 'utf8'));
  config.watch = { ...config.watch, custom: [{ module: join(dir, 'broken.mjs'), respond: 'pause' }] };
  const file = join(dir, 'patchgate.config.json');
  writeFileSync(file, JSON.stringify(config));
  const args = watchArgs(freshState(live), block, ['--key-env', 'GUARDIAN_KEY']).map((a, i, all) =>
    all[i - 1] === '--config' ? file : a,
  );
  const r = await runCliAsync(args, { env: KEY_ENV });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const printed = events(r.stdout);
  expect(printed.filter((e) => e.event === 'error')).toHaveLength(2); // two attempts retried, the third reported
  const failed = printed.filter((e) => e.event === 'alert');
  expect(failed.map((e) => e.alert)).toEqual([
    expect.objectContaining({
      rule: 'broken',
      id: 'watch-rule-failed',
      severity: 'high',
      message: expect.stringMatching(/^rule broken could not judge block \d+ \(3 attempts\): TypeError: /),
    }),
  ]);
  expect(printed.filter((e) => e.event === 'pause')).toHaveLength(1);
  expect(
    await live.clients.public.readContract({ address: vault(), abi: PAUSABLE, functionName: 'paused' }),
  ).toBe(true);
});
