/**
 * The state rules on the live example (real anvil, real vault, TestUSD, two depositors holding 60,000 tUSD):
 * invariants read at every block in one request, alerting once when one breaks; a reverting view fails closed;
 * outflows summed per block against a cap and a rolling baseline; and the example's exploit judged while it is
 * still pending, by simulating it on the head.
 */
import {
  type Abi,
  type Address,
  createPublicClient,
  custom,
  type Hex,
  http,
  type PublicClient,
  type TransactionReceipt,
} from 'viem';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { freePort } from '../src/chain/anvil.js';
import { errorOf } from '../src/core/errors.fixture.js';
import { accountFor as accountOf } from '../src/system/model.js';
import { invariantRule, type WatchedInvariant } from '../src/watch/rules/invariants.js';
import { outflowRule, type WatchedAsset } from '../src/watch/rules/outflows.js';
import { type LiveExample, startLiveExample } from './helpers/live.js';
import {
  armedExploit,
  attackCall,
  blockRef,
  contract,
  invariant,
  pendingTx,
  send,
} from './helpers/watch-state.js';

let live: LiveExample;
let base: Hex;
let noAssetsLost: WatchedInvariant;
let feesToGovernance: WatchedInvariant;

beforeAll(async () => {
  live = await startLiveExample();
  noAssetsLost = invariant(live, 'no-assets-lost', 'vault', 'totalAssets', '>=', 59_000_000_000n);
  feesToGovernance = invariant(
    live,
    'fees-go-to-governance',
    'vault',
    'feeRecipient',
    '==',
    live.system.governance.timelock,
  );
  base = await live.clients.test.snapshot();
}, 180_000);
afterAll(async () => {
  await live?.anvil.stop();
});
beforeEach(async () => {
  // A test that left a transaction pending must not have it mined into the next one (evm_revert keeps the pool).
  await live.clients.public.request({ method: 'anvil_dropAllTransactions' as never });
  await live.clients.public.request({ method: 'evm_setAutomine' as never, params: [true] as never });
  expect(await live.clients.public.request({ method: 'evm_revert' as never, params: [base] as never })).toBe(
    true,
  );
  base = await live.clients.test.snapshot();
});

const automine = (on: boolean) =>
  live.clients.public.request({ method: 'evm_setAutomine' as never, params: [on] as never });
const call = (c: { address: Address; abi: Abi }, functionName: string, args: readonly unknown[]) => ({
  address: c.address,
  abi: c.abi,
  functionName,
  args,
});
const blockOf = (r: TransactionReceipt) => blockRef(live, r.blockNumber);
const vault = () => contract(live, 'vault').address;
const user1 = () => accountOf('user:1').address;

describe('invariants rule', () => {
  it('alerts once when a transaction breaks an invariant, not on the next block, and again after it held again', async () => {
    const rule = invariantRule({ client: live.clients.public, invariants: [feesToGovernance, noAssetsLost] });
    const start = await blockRef(live);
    expect(await rule.evaluate(start)).toEqual([]);
    // 60,000 → 58,000 tUSD: below the 59,000 the invariant asks for.
    const out = await send(live, 'user:1', 'vault', 'withdraw', [2_000_000_000n, user1(), user1()]);
    const findings = await rule.evaluate(await blockOf(out));
    expect(findings).toEqual([
      expect.objectContaining({
        id: 'watch-invariant-broken',
        severity: 'critical',
        key: 'no-assets-lost',
        contract: vault(),
        message: `invariant no-assets-lost broken at block ${out.blockNumber}: totalAssets() on ${vault()} is 58000000000, expected >= 59000000000`,
      }),
    ]);
    await live.clients.test.mine({ blocks: 1 });
    expect(await rule.evaluate(await blockRef(live))).toEqual([]);
    // Back above 59,000: holds (silent); below again: a new alert.
    await send(live, 'user:1', 'token', 'approve', [vault(), 2_000_000_000n]);
    const back = await send(live, 'user:1', 'vault', 'deposit', [2_000_000_000n, user1()]);
    expect(await rule.evaluate(await blockOf(back))).toEqual([]);
    const again = await send(live, 'user:1', 'vault', 'withdraw', [1_500_000_000n, user1(), user1()]);
    expect((await rule.evaluate(await blockOf(again))).map((f) => f.message)).toEqual([
      `invariant no-assets-lost broken at block ${again.blockNumber}: totalAssets() on ${vault()} is 58500000000, expected >= 59000000000`,
    ]);
  });

  it('stays silent while every invariant holds, block after block', async () => {
    const rule = invariantRule({ client: live.clients.public, invariants: [feesToGovernance, noAssetsLost] });
    for (let i = 0; i < 3; i++) {
      const r = await send(live, 'user:2', 'vault', 'withdraw', [
        100_000_000n,
        accountOf('user:2').address,
        accountOf('user:2').address,
      ]);
      expect(await rule.evaluate(await blockOf(r))).toEqual([]);
    }
  });

  it('alerts on an invariant already broken when the watcher starts (not yet evaluated counts as held)', async () => {
    await send(live, 'user:1', 'vault', 'withdraw', [2_000_000_000n, user1(), user1()]);
    await live.clients.test.mine({ blocks: 1 });
    const rule = invariantRule({ client: live.clients.public, invariants: [noAssetsLost] });
    const head = await blockRef(live);
    expect((await rule.evaluate(head)).map((f) => f.key)).toEqual(['no-assets-lost']);
    // The same block handed out again (a crash before the cursor was saved) is judged against its parent again.
    expect((await rule.evaluate(head)).map((f) => f.key)).toEqual(['no-assets-lost']);
  });

  it('reads a view that reverts as a broken invariant, naming the revert (fail closed)', async () => {
    // flashFee of a token the vault does not lend reverts with UnsupportedToken(token).
    const reverting = invariant(live, 'fee-of-another-token', 'vault', 'flashFee', '==', 0n, [user1(), 1n]);
    const rule = invariantRule({ client: live.clients.public, invariants: [noAssetsLost, reverting] });
    const findings = await rule.evaluate(await blockRef(live));
    expect(findings.map((f) => [f.key, f.message])).toEqual([
      [
        'fee-of-another-token',
        `invariant fee-of-another-token broken at block ${(await blockRef(live)).number}: flashFee(${user1()}, 1) on ${vault()} is reverted: UnsupportedToken("${user1()}"), expected == 0`,
      ],
    ]);
  });

  it('judges the pending exploit transaction before it is mined: the alert names its hash', async () => {
    const exploit = await armedExploit(live);
    const rule = invariantRule({ client: live.clients.public, invariants: [feesToGovernance, noAssetsLost] });
    const head = await blockRef(live);
    expect(await rule.evaluate(head)).toEqual([]);
    await automine(false);
    const hash = await live.clients.wallet(accountOf('attacker')).writeContract(attackCall(live, exploit));
    const tx = await pendingTx(live, hash);
    const pending = await rule.evaluatePending?.(tx, head);
    // Still pending: nothing mined, the vault untouched.
    expect(await live.clients.public.getBlockNumber({ cacheTime: 0 })).toBe(head.number);
    await automine(true);
    await live.clients.test.mine({ blocks: 1 });
    const receipt = await live.clients.public.waitForTransactionReceipt({ hash });
    expect(receipt.status).toBe('success');
    const left = await live.clients.public.readContract({
      ...noAssetsLost,
      abi: [noAssetsLost.fn],
      functionName: 'totalAssets',
    });
    expect(left < 59_000_000_000n).toBe(true);
    const what = `totalAssets() on ${vault()} is ${left}, expected >= 59000000000`;
    expect(pending).toEqual([
      expect.objectContaining({
        id: 'watch-invariant-broken',
        key: `pending:${hash}:no-assets-lost`,
        tx: hash,
        contract: vault(),
        message: `invariant no-assets-lost would break if pending transaction ${hash} is mined: ${what}`,
      }),
    ]);
    // Mined: the block's own alert says the same.
    expect((await rule.evaluate(await blockOf(receipt))).map((f) => f.message)).toEqual([
      `invariant no-assets-lost broken at block ${receipt.blockNumber}: ${what}`,
    ]);
  });

  it('does not alert on a pending transaction for an invariant already broken at the head', async () => {
    await send(live, 'user:1', 'vault', 'withdraw', [2_000_000_000n, user1(), user1()]);
    const rule = invariantRule({ client: live.clients.public, invariants: [noAssetsLost] });
    const head = await blockRef(live);
    expect((await rule.evaluate(head)).map((f) => f.key)).toEqual(['no-assets-lost']);
    await automine(false);
    const hash = await live.clients.wallet(accountOf('user:1')).writeContract({
      address: vault(),
      abi: contract(live, 'vault').abi,
      functionName: 'withdraw',
      args: [1_000_000_000n, user1(), user1()],
    });
    expect(await rule.evaluatePending?.(await pendingTx(live, hash), head)).toEqual([]);
  });

  it('fails closed on a pending transaction when the node cannot simulate it (no eth_simulateV1)', async () => {
    const forward = live.clients.public;
    const client = createPublicClient({
      chain: live.clients.chain,
      transport: custom({
        request: async ({ method, params }) => {
          if (method === 'eth_simulateV1')
            throw Object.assign(new Error('method not found'), { code: -32601 });
          return forward.request({ method, params } as never);
        },
      }),
    }) as PublicClient;
    const exploit = await armedExploit(live);
    const head = await blockRef(live);
    await automine(false);
    const hash = await live.clients.wallet(accountOf('attacker')).writeContract(attackCall(live, exploit));
    const tx = await pendingTx(live, hash);
    const invariants = invariantRule({ client, invariants: [noAssetsLost] });
    expect(await errorOf(invariants.evaluatePending?.(tx, head) ?? Promise.resolve())).toMatchObject({
      code: 'rpc-error',
    });
    const outflows = outflowRule({
      client,
      contracts: [vault()],
      assets: [{ token: contract(live, 'token').address, cap: 1n }],
    });
    expect(await errorOf(outflows.evaluatePending?.(tx, head) ?? Promise.resolve())).toMatchObject({
      code: 'rpc-error',
    });
  });

  it('reads every invariant in one eth_call at the block', async () => {
    const methods: string[] = [];
    const client = createPublicClient({
      chain: live.clients.chain,
      transport: http(live.anvil.rpcUrl, {
        onFetchRequest: async (request) => {
          methods.push((JSON.parse(await request.clone().text()) as { method: string }).method);
        },
      }),
    }) as PublicClient;
    const many = [
      feesToGovernance,
      noAssetsLost,
      ...[1, 2, 3, 4, 5, 6, 7, 8].map((i) =>
        invariant(live, `balance-${i}`, 'vault', 'balanceOf', '>=', 0n, [accountOf(`user:${i}`).address]),
      ),
    ];
    const rule = invariantRule({ client, invariants: many });
    expect(await rule.evaluate(await blockRef(live))).toEqual([]);
    expect(methods).toEqual(['eth_call']);
  });

  it('fails as the environment, not as a broken invariant, when the node does not answer', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const dead = createPublicClient({
      chain: live.clients.chain,
      transport: http(url, { retryCount: 0 }),
    }) as PublicClient;
    const rule = invariantRule({ client: dead, invariants: [noAssetsLost] });
    const e = await errorOf(rule.evaluate(await blockRef(live)));
    expect(e).toMatchObject({ code: 'rpc-unreachable' });
  });
});

describe('outflows rule', () => {
  const tusd = () => contract(live, 'token').address;
  const asset = (bars: Omit<WatchedAsset, 'token'>): WatchedAsset => ({
    token: tusd(),
    symbol: 'TestUSD',
    ...bars,
  });
  const rule = (bars: Omit<WatchedAsset, 'token'>) =>
    outflowRule({ client: live.clients.public, contracts: [vault()], assets: [asset(bars)] });
  const withdraw = (amount: bigint, who = 'user:1') =>
    send(live, who, 'vault', 'withdraw', [amount, accountOf(who).address, accountOf(who).address]);
  const vaultBalance = () =>
    live.clients.public.readContract({
      address: tusd(),
      abi: contract(live, 'token').abi,
      functionName: 'balanceOf',
      args: [vault()],
    }) as Promise<bigint>;

  it('stays silent on normal withdrawals under the cap and the baseline', async () => {
    const r = rule({ cap: 10_000_000_000n, factor: 3, window: 10, floor: 1_000_000_000n });
    for (const amount of [500_000_000n, 800_000_000n, 2_900_000_000n]) {
      expect(await r.evaluate(await blockOf(await withdraw(amount)))).toEqual([]);
    }
  });

  it('alerts a spike over factor × the mean of the window, seeded from the chain when it starts', async () => {
    for (let i = 0; i < 4; i++) await withdraw(1_000_000_000n);
    // A watcher started now reads the 4 blocks before (mean 1,000 tUSD): 1,900 is under 2 × 1,000 — silent.
    // Without that history its mean would be 0, and 1,900 over 2 × max(0, floor 0).
    const bars = { factor: 2, window: 4, floor: 0n };
    const r = rule(bars);
    expect(await r.evaluate(await blockOf(await withdraw(1_900_000_000n)))).toEqual([]);
    // Mean now (1,000 × 3 + 1,900) / 4 = 1,225: 2,500 is over 2 × 1,225.
    const spike = await withdraw(2_500_000_000n);
    const findings = await r.evaluate(await blockOf(spike));
    expect(findings).toEqual([
      expect.objectContaining({
        id: 'watch-outflow-abnormal',
        severity: 'high',
        key: `${vault()}:${tusd()}`,
        contract: vault(),
        tx: spike.transactionHash,
        outflow: { token: tusd(), amount: 2_500_000_000n },
        message: `${vault()} sent out 2500000000 TestUSD net in block ${spike.blockNumber} (tx ${spike.transactionHash}), over 2 × max(mean 1225000000 over 4 blocks, floor 0)`,
      }),
    ]);
    // A restarted watcher (a new rule) judges the same block the same way.
    expect((await rule(bars).evaluate(await blockOf(spike))).map((f) => f.message)).toEqual(
      findings.map((f) => f.message),
    );
  });

  it("alerts the exploit's drain as over the cap (and far over the baseline), naming the attack transaction", async () => {
    const exploit = await armedExploit(live);
    const r = rule({ cap: 10_000_000_000n, factor: 5, window: 100, floor: 1_000_000_000n });
    expect(await r.evaluate(await blockRef(live))).toEqual([]);
    const before = await vaultBalance();
    const hash = await live.clients.wallet(accountOf('attacker')).writeContract(attackCall(live, exploit));
    const receipt = await live.clients.public.waitForTransactionReceipt({ hash });
    expect(receipt.status).toBe('success');
    const drained = before - (await vaultBalance());
    expect(drained > 59_000_000_000n).toBe(true);
    const findings = await r.evaluate(await blockOf(receipt));
    const what = `${vault()} sent out ${drained} TestUSD net in block ${receipt.blockNumber} (tx ${hash})`;
    expect(findings).toEqual([
      expect.objectContaining({
        id: 'watch-outflow-over-cap',
        severity: 'critical',
        message: `${what}, over the cap of 10000000000`,
        tx: hash,
        contract: vault(),
        outflow: { token: tusd(), amount: drained },
      }),
      expect.objectContaining({
        id: 'watch-outflow-abnormal',
        message: `${what}, over 5 × max(mean 0 over 100 blocks, floor 1000000000)`,
        tx: hash,
      }),
    ]);
  });

  it('judges the pending exploit by its simulated transfers before it is mined', async () => {
    const exploit = await armedExploit(live);
    const r = rule({ cap: 10_000_000_000n });
    const head = await blockRef(live);
    const before = await vaultBalance();
    await automine(false);
    const hash = await live.clients.wallet(accountOf('attacker')).writeContract(attackCall(live, exploit));
    const pending = await r.evaluatePending?.(await pendingTx(live, hash), head);
    expect(await vaultBalance()).toBe(before);
    await automine(true);
    await live.clients.test.mine({ blocks: 1 });
    expect((await live.clients.public.waitForTransactionReceipt({ hash })).status).toBe('success');
    const drained = before - (await vaultBalance());
    expect(pending).toEqual([
      expect.objectContaining({
        id: 'watch-outflow-over-cap',
        key: `pending:${hash}:${vault()}:${tusd()}`,
        tx: hash,
        outflow: { token: tusd(), amount: drained },
        message: `${vault()} would send out ${drained} TestUSD net if pending transaction ${hash} is mined, over the cap of 10000000000`,
      }),
    ]);
  });

  it('nets what came back in the same block: 20,000 out and 20,000 back in is no outflow', async () => {
    await automine(false);
    const wallet = live.clients.wallet(accountOf('user:1'));
    const v = contract(live, 'vault');
    const token = contract(live, 'token');
    const hashes = [
      await wallet.writeContract({ ...call(v, 'withdraw', [20_000_000_000n, user1(), user1()]) }),
      await wallet.writeContract({ ...call(token, 'approve', [v.address, 20_000_000_000n]) }),
      // Estimated on the latest state the deposit would revert (no allowance yet): its gas is given.
      await wallet.writeContract({ ...call(v, 'deposit', [20_000_000_000n, user1()]), gas: 300_000n }),
    ];
    await automine(true);
    await live.clients.test.mine({ blocks: 1 });
    const receipts = await Promise.all(
      hashes.map((hash) => live.clients.public.waitForTransactionReceipt({ hash })),
    );
    expect(receipts.map((r) => [r.status, r.blockNumber])).toEqual(
      receipts.map(() => ['success', receipts[0]?.blockNumber]),
    );
    const r = outflowRule({
      client: live.clients.public,
      contracts: [vault()],
      assets: [asset({ cap: 10_000_000_000n })],
    });
    expect(await r.evaluate(await blockOf(receipts[0] as TransactionReceipt))).toEqual([]);
  });
});
