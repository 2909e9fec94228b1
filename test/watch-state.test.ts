/**
 * The state rules on the live example (real anvil, real vault, TestUSD, two depositors holding 60,000 tUSD):
 * invariants read at every block in one request, alerting once when one breaks; a reverting view fails closed;
 * outflows summed per block against a cap and a rolling baseline; and the example's exploit judged while it is
 * still pending, by simulating it on the head.
 */
import { createPublicClient, type Hex, http, type PublicClient, type TransactionReceipt } from 'viem';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { freePort } from '../src/chain/anvil.js';
import { errorOf } from '../src/core/errors.fixture.js';
import { accountFor as accountOf } from '../src/system/model.js';
import { invariantRule, type WatchedInvariant } from '../src/watch/rules/invariants.js';
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
  await live.clients.public.request({ method: 'evm_setAutomine' as never, params: [true] as never });
  expect(await live.clients.public.request({ method: 'evm_revert' as never, params: [base] as never })).toBe(
    true,
  );
  base = await live.clients.test.snapshot();
});

const automine = (on: boolean) =>
  live.clients.public.request({ method: 'evm_setAutomine' as never, params: [on] as never });
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
