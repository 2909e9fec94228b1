/**
 * The match rule on the live example (real anvil, the vault and TestUSD): an event by OpenZeppelin Monitor's bare
 * signature named through the vault's ABI, or written in full; a top-level call matched by selector and argument;
 * thresholds that alert above and stay silent below; calldata that does not decode alerts instead of passing; and
 * signatures or expressions that cannot work refused when the rule is made.
 */
import { type Address, type Hex, type TransactionReceipt, toEventSelector } from 'viem';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { errorOf } from '../src/core/errors.fixture.js';
import { accountFor } from '../src/system/model.js';
import { matchRule } from '../src/watch/rules/match.js';
import { type LiveExample, startLiveExample } from './helpers/live.js';
import { blockRef, contract, send } from './helpers/watch-state.js';

let live: LiveExample;
let base: Hex;

beforeAll(async () => {
  live = await startLiveExample();
  base = await live.clients.test.snapshot();
}, 180_000);
afterAll(async () => {
  await live?.anvil.stop();
});
beforeEach(async () => {
  expect(await live.clients.public.request({ method: 'evm_revert' as never, params: [base] as never })).toBe(
    true,
  );
  base = await live.clients.test.snapshot();
});

const vault = () => contract(live, 'vault').address;
const token = () => contract(live, 'token').address;
const user1 = () => accountFor('user:1').address;
const blockOf = (r: TransactionReceipt) => blockRef(live, r.blockNumber);

/** user:1 deposits `amount` tUSD into the vault (minted to it and approved first); the deposit's receipt. */
async function deposit(amount: bigint): Promise<TransactionReceipt> {
  await send(live, 'deployer', 'token', 'mint', [user1(), amount]);
  await send(live, 'user:1', 'token', 'approve', [vault(), amount]);
  return send(live, 'user:1', 'vault', 'deposit', [amount, user1()]);
}

const logIndexOf = (r: TransactionReceipt, address: Address) =>
  r.logs.find((l) => l.address.toLowerCase() === address.toLowerCase() && l.topics.length === 3)?.logIndex;

describe('match rule', () => {
  it('alerts on a vault Deposit above the threshold (bare signature, names from the ABI) and not below', async () => {
    const rule = matchRule({
      client: live.clients.public,
      name: 'Large deposits',
      addresses: [vault()],
      events: [{ signature: 'Deposit(address,address,uint256,uint256)', expression: 'assets > 1000000000' }],
      abis: [contract(live, 'vault').abi],
    });
    expect(rule.name).toBe('large-deposits');
    const big = await deposit(5_000_000_000n);
    const findings = await rule.evaluate(await blockOf(big));
    // The vault mints its shares (a Transfer) before it emits Deposit: the key is the Deposit's log.
    const depositLog = big.logs.find(
      (l) => l.topics[0] === toEventSelector('Deposit(address,address,uint256,uint256)'),
    );
    expect(depositLog?.logIndex).toBe(2);
    expect(findings).toEqual([
      expect.objectContaining({
        id: 'watch-match',
        severity: 'high',
        key: `${big.transactionHash}:${depositLog?.logIndex}`,
        contract: vault(),
        tx: big.transactionHash,
        message: `Large deposits: Deposit on ${vault()} in block ${big.blockNumber} (tx ${big.transactionHash}): sender=${user1()}, owner=${user1()}, assets=5000000000, shares=5000000000 matches assets > 1000000000`,
      }),
    ]);
    const small = await deposit(500_000_000n);
    expect(await rule.evaluate(await blockOf(small))).toEqual([]);
  });

  it('alerts on a token Transfer into the vault written in full, by $index, with the severity given', async () => {
    const rule = matchRule({
      client: live.clients.public,
      name: 'vault-inflow',
      addresses: [token()],
      events: [
        {
          signature: 'Transfer(address indexed from, address indexed to, uint256 value)',
          expression: `$1 == ${vault().toLowerCase()} AND (value >= 2000000000 OR from == 0x0000000000000000000000000000000000000000)`,
        },
      ],
      severity: 'critical',
    });
    const big = await deposit(2_000_000_000n);
    expect((await rule.evaluate(await blockOf(big))).map((f) => [f.severity, f.key, f.contract])).toEqual([
      ['critical', `${big.transactionHash}:${logIndexOf(big, token())}`, token()],
    ]);
    expect(await rule.evaluate(await blockOf(await deposit(1_999_999_999n)))).toEqual([]);
    // A mint to the vault matches the other branch of the OR, whatever its size.
    const mint = await send(live, 'deployer', 'token', 'mint', [vault(), 1n]);
    expect((await rule.evaluate(await blockOf(mint))).map((f) => f.key)).toEqual([
      `${mint.transactionHash}:${logIndexOf(mint, token())}`,
    ]);
  });

  it('alerts on a top-level call matched by selector and argument, not on a smaller one or another address', async () => {
    const rule = matchRule({
      client: live.clients.public,
      name: 'big-withdrawals',
      addresses: [vault()],
      functions: [{ signature: 'withdraw(uint256,address,address)', expression: '$0 >= 3000000000' }],
    });
    const out = await send(live, 'user:1', 'vault', 'withdraw', [3_000_000_000n, user1(), user1()]);
    expect(await rule.evaluate(await blockOf(out))).toEqual([
      expect.objectContaining({
        id: 'watch-match',
        key: `${out.transactionHash}:call`,
        contract: vault(),
        tx: out.transactionHash,
        message: `big-withdrawals: withdraw() called on ${vault()} in block ${out.blockNumber} (tx ${out.transactionHash}): $0=3000000000, $1=${user1()}, $2=${user1()} matches $0 >= 3000000000`,
      }),
    ]);
    const small = await send(live, 'user:1', 'vault', 'withdraw', [2_999_999_999n, user1(), user1()]);
    expect(await rule.evaluate(await blockOf(small))).toEqual([]);
    // The same selector sent to the token (not a watched address) is not a match.
    const elsewhere = matchRule({
      client: live.clients.public,
      name: 'approvals',
      addresses: [vault()],
      functions: [{ signature: 'approve(address,uint256)' }],
    });
    const approve = await send(live, 'user:1', 'token', 'approve', [vault(), 1n]);
    expect(await elsewhere.evaluate(await blockOf(approve))).toEqual([]);
  });

  it('alerts on a matched selector whose arguments do not decode (never passes it unjudged)', async () => {
    const rule = matchRule({
      client: live.clients.public,
      name: 'big-deposits',
      addresses: [vault()],
      functions: [{ signature: 'deposit(uint256 assets,address receiver)', expression: 'assets > 1' }],
    });
    // The selector and half an argument: the call reverts, but it was sent.
    const hash = await live.clients.wallet(accountFor('user:1')).sendTransaction({
      to: vault(),
      data: '0x6e553f650000000000000000000000000000',
      gas: 200_000n,
    });
    const receipt = await live.clients.public.waitForTransactionReceipt({ hash });
    expect(receipt.status).toBe('reverted');
    expect((await rule.evaluate(await blockOf(receipt))).map((f) => f.message)).toEqual([
      `big-deposits: deposit() called on ${vault()} in block ${receipt.blockNumber} (tx ${hash}): its arguments do not decode as deposit(uint256,address)`,
    ]);
  });

  it('refuses, when made, a bare event with an expression and no ABI, a bad signature, and a bad expression', async () => {
    const make = (events: Array<{ signature: string; expression?: string }>) => () =>
      matchRule({ client: live.clients.public, name: 'm', addresses: [vault()], events });
    expect(
      await errorOf(make([{ signature: 'Transfer(address,address,uint256)', expression: '$2 > 1' }])),
    ).toMatchObject({
      code: 'watch-signature-invalid',
      shortMessage:
        'event Transfer(address,address,uint256) has an expression but no ABI says which of its parameters are indexed',
    });
    expect(await errorOf(make([{ signature: 'Transfer(address,,uint256' }]))).toMatchObject({
      code: 'watch-signature-invalid',
      shortMessage: 'event signature "Transfer(address,,uint256" is not a Solidity event signature',
    });
    expect(
      await errorOf(
        make([
          {
            signature: 'Transfer(address indexed from,address indexed to,uint256 value)',
            expression: 'amount > 1',
          },
        ]),
      ),
    ).toMatchObject({
      code: 'watch-expression-invalid',
      shortMessage:
        'expression "amount > 1": event Transfer(address,address,uint256) has no parameter amount (it has: from, to, value) at position 0',
    });
    expect(await errorOf(make([]))).toMatchObject({ code: 'watch-rule-invalid' });
  });
});
