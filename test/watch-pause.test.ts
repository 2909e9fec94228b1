/**
 * The guardian's automatic pause (watch/respond/pause.ts) on the example's real vault: simulated first, replaced
 * under the same nonce with a higher fee when not mined in time, exactly one mined; a restarted responder picks its
 * pause in flight up from the store (and re-broadcasts one the node never got) instead of signing another; a
 * guardian that lost its role is refused and nothing is sent.
 */
import { type Hex, keccak256, parseAbi } from 'viem';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { type Db, openPglite } from '../src/store/db.js';
import { type Ledger, openLedger } from '../src/store/ledger-store.js';
import { openStore } from '../src/store/store.js';
import { pauseStore } from '../src/store/watch-pauses.js';
import { accountFor } from '../src/system/model.js';
import { pauseResponder } from '../src/watch/respond/pause.js';
import { type LiveExample, startLiveExample } from './helpers/live.js';
import { contract } from './helpers/watch-state.js';

const VAULT_ABI = parseAbi([
  'function paused() view returns (bool)',
  'function revokeRole(bytes32 role, address account)',
]);

let live: LiveExample;
let base: Hex;
let db: Db;
let ledger: Ledger;
beforeAll(async () => {
  live = await startLiveExample();
  base = await live.clients.test.snapshot();
});
afterAll(async () => {
  await db?.close();
  await live?.anvil.stop();
});
beforeEach(async () => {
  await live.clients.public.request({ method: 'anvil_dropAllTransactions' as never });
  await live.clients.test.setAutomine(true);
  expect(await live.clients.public.request({ method: 'evm_revert' as never, params: [base] as never })).toBe(
    true,
  );
  base = await live.clients.test.snapshot();
  await db?.close();
  db = await openPglite('memory://');
  await openStore(db);
  ledger = await openLedger(db, { origin: 'watch-pause-test' });
});

const guardian = () => accountFor('guardian') as Parameters<typeof pauseResponder>[0]['guardian'];
const vault = () => contract(live, 'vault').address;
const paused = () =>
  live.clients.public.readContract({ address: vault(), abi: VAULT_ABI, functionName: 'paused' });
const nonce = () => live.clients.public.getTransactionCount({ address: guardian().address });

function responder(clock: { now: number } = { now: Date.now() }, client = live.clients.public) {
  return pauseResponder({
    client,
    chainId: live.clients.chain.id,
    guardian: guardian(),
    targets: [vault()],
    pauses: pauseStore(db),
    ledger,
    replaceAfterMs: 3_000,
    now: () => clock.now,
  });
}

it('replaces an unmined pause under the same nonce with a higher fee; exactly one is mined', async () => {
  await live.clients.test.setAutomine(false);
  const clock = { now: Date.now() };
  const r = responder(clock);
  const before = await nonce();
  const [sent] = await r.respond('test:trigger');
  expect(sent?.status).toBe('sent');
  if (sent?.status !== 'sent') return;
  expect(await r.tick()).toEqual([]); // not yet due
  clock.now += 3_001;
  const [replaced] = await r.tick();
  expect(replaced).toMatchObject({ status: 'replaced', nonce: sent.nonce });
  if (replaced?.status !== 'replaced') return;
  expect(replaced.priorityFee).toBeGreaterThan(sent.priorityFee);
  // A second trigger while the pause is in flight signs nothing.
  expect((await r.respond('test:another')).map((o) => o.status)).toEqual(['in-flight']);
  await live.clients.test.mine({ blocks: 1 });
  const [mined] = await r.tick();
  expect(mined).toMatchObject({ status: 'mined', txHash: replaced.txHash, nonce: sent.nonce });
  expect(await nonce()).toBe(before + 1);
  expect(await paused()).toBe(true);
  expect(
    await live.clients.public.getTransactionReceipt({ hash: sent.txHash }).catch(() => undefined),
  ).toBeUndefined();
  // On the record: sent, replaced, mined.
  const messages = (await ledger.entries()).map((e) => JSON.parse(e.entry).message as string);
  expect(messages.filter((m) => m.startsWith('pause() sent to'))).toHaveLength(1);
  expect(messages.filter((m) => m.includes('replaced'))).toHaveLength(1);
  expect(messages.filter((m) => m.includes('mined in block'))).toHaveLength(1);
});

it('a restarted responder finds its pause in flight in the store, re-broadcasts it and signs no other', async () => {
  await live.clients.test.setAutomine(false);
  const clock = { now: Date.now() };
  const [sent] = await responder(clock).respond('test:trigger');
  if (sent?.status !== 'sent') throw new Error('not sent');
  // The node loses it (a restart of the node, a dropped mempool): only the store still has the signed pause.
  await live.clients.public.request({ method: 'anvil_dropAllTransactions' as never });
  const restarted = responder(clock);
  expect((await restarted.respond('test:trigger')).map((o) => o.status)).toEqual(['in-flight']);
  expect(await restarted.tick()).toEqual([]); // re-broadcast, not yet mined
  await live.clients.test.mine({ blocks: 1 });
  const [mined] = await restarted.tick();
  expect(mined).toMatchObject({ status: 'mined', txHash: sent.txHash });
  expect(await paused()).toBe(true);
});

it('refuses, and sends nothing, when the guardian can no longer pause', async () => {
  const timelock = live.system.governance.timelock;
  await live.clients.test.impersonateAccount({ address: timelock });
  await live.clients.test.setBalance({ address: timelock, value: 10n ** 18n });
  const hash = await live.clients.wallet({ address: timelock, type: 'json-rpc' }).writeContract({
    address: vault(),
    abi: VAULT_ABI,
    functionName: 'revokeRole',
    args: [keccak256(new TextEncoder().encode('GUARDIAN_ROLE')), guardian().address],
  });
  await live.clients.public.waitForTransactionReceipt({ hash });
  await live.clients.test.stopImpersonatingAccount({ address: timelock });
  const before = await nonce();
  const [outcome] = await responder({ now: Date.now() }).respond('test:trigger');
  expect(outcome?.status).toBe('refused');
  expect(await nonce()).toBe(before);
  expect(await paused()).toBe(false);
  const messages = (await ledger.entries()).map((e) => JSON.parse(e.entry).message as string);
  expect(messages.some((m) => m.startsWith(`cannot pause ${vault()}`))).toBe(true);
});

it('a pause whose block a reorg dropped is sent again, same transaction and nonce, and mined once', async () => {
  const clock = { now: Date.now() };
  const r = responder(clock);
  const before = await nonce();
  const [sent] = await r.respond('test:trigger');
  if (sent?.status !== 'sent') throw new Error('not sent');
  const [mined] = await r.tick();
  expect(mined).toMatchObject({ status: 'mined', txHash: sent.txHash });
  expect(await paused()).toBe(true);
  // The block holding the pause is replaced by an empty one: the vault is not paused on the new branch.
  await live.clients.public.request({ method: 'anvil_reorg' as never, params: [1, []] as never });
  expect(await paused()).toBe(false);
  expect(await r.afterReorg()).toEqual([
    { target: vault(), status: 'reopened', txHash: sent.txHash, nonce: sent.nonce },
  ]);
  await r.tick(); // re-broadcast (automine: mined at once)
  const [again] = await r.tick();
  expect(again).toMatchObject({ status: 'mined', txHash: sent.txHash, nonce: sent.nonce });
  expect(await paused()).toBe(true);
  expect(await nonce()).toBe(before + 1);
  expect(await r.afterReorg()).toEqual([]); // on the chain: nothing to reopen
});

it('a pause whose nonce another guardian transaction used is settled as superseded, and the next alert pauses afresh', async () => {
  await live.clients.test.setAutomine(false);
  const clock = { now: Date.now() };
  const r = responder(clock);
  const [sent] = await r.respond('test:trigger');
  if (sent?.status !== 'sent') throw new Error('not sent');
  // The guardian key used by hand with the same nonce (the node dropped the pause): that nonce is spent.
  await live.clients.public.request({ method: 'anvil_dropAllTransactions' as never });
  await live.clients.test.setAutomine(true);
  const manual = await live.clients.wallet(guardian()).sendTransaction({
    to: guardian().address,
    value: 0n,
    nonce: sent.nonce,
  });
  await live.clients.public.waitForTransactionReceipt({ hash: manual });
  expect(await paused()).toBe(false);
  expect(await r.tick()).toEqual([{ target: vault(), status: 'superseded', nonce: sent.nonce }]);
  // Not "in flight" for ever: the next alert sends a new pause, with the next nonce.
  const [again] = await r.respond('test:next');
  expect(again).toMatchObject({ status: 'sent', nonce: sent.nonce + 1 });
  await r.tick();
  expect(await paused()).toBe(true);
});

it('a sent pause whose log entry was never written (killed before flush) is logged by the next tick, once', async () => {
  await live.clients.test.setAutomine(false);
  const clock = { now: Date.now() };
  const [sent] = await responder(clock).respond('test:trigger');
  if (sent?.status !== 'sent') throw new Error('not sent');
  const sentEntries = async () =>
    (await ledger.entries())
      .map((e) => JSON.parse(e.entry).message as string)
      .filter((m) => m.startsWith('pause() sent to'));
  // The process dies between the broadcast and the log write (flush never ran): nothing on the record yet.
  expect(await sentEntries()).toEqual([]);
  const restarted = responder(clock);
  await restarted.tick();
  await restarted.tick();
  expect(await sentEntries()).toEqual([
    `pause() sent to ${vault()} (nonce ${sent.nonce}, priority fee ${sent.priorityFee} wei) answering test:trigger`,
  ]);
  await live.clients.test.mine({ blocks: 1 });
  await restarted.tick();
  expect(await paused()).toBe(true);
  expect(await sentEntries()).toHaveLength(1);
});

/** The chain client, counting the viem actions the responder calls on it. */
function countingClient() {
  const calls: string[] = [];
  const client = new Proxy(live.clients.public, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.push(String(key));
        return value.apply(target, args);
      };
    },
  });
  return { client, calls };
}

it('what was armed on the parent of the judged block is used: the alert reads nothing, it signs and sends', async () => {
  const { client, calls } = countingClient();
  const r = responder(undefined, client);
  r.arm();
  await r.tick(); // the arm's reads have answered by the time a tick's have
  await new Promise((resolve) => setTimeout(resolve, 200));
  const head = await live.clients.public.getBlock({ blockTag: 'latest' });
  calls.length = 0;
  // An alert about the next block: its parent is the head the arm read.
  const next = { hash: keccak256(head.hash), parentHash: head.hash };
  const [sent] = await r.respond('test:trigger', { block: next });
  expect(sent?.status).toBe('sent');
  expect(calls).toEqual(['request']); // eth_sendRawTransaction, nothing else
  await r.tick();
  expect(await paused()).toBe(true);
});

it('what was armed on an older head is not used: a vault paused since is read again, and nothing more is sent', async () => {
  const r = responder({ now: Date.now() });
  r.arm(); // read ahead with the vault unpaused
  await new Promise((resolve) => setTimeout(resolve, 500));
  // The guardian pauses by hand; another block comes: what was armed is two blocks old.
  await pauseByHand();
  await live.clients.test.mine({ blocks: 1 });
  const before = await nonce();
  const head = await live.clients.public.getBlock({ blockTag: 'latest' });
  expect((await r.respond('test:trigger', { block: head })).map((o) => o.status)).toEqual(['already-paused']);
  expect(await nonce()).toBe(before);
});

it('a nonce spent since the arm (the guardian key used by hand) is caught at the broadcast: read afresh, paused with the next', async () => {
  const r = responder({ now: Date.now() });
  r.arm();
  await new Promise((resolve) => setTimeout(resolve, 500));
  const before = await nonce();
  // One block later the guardian's nonce is spent by a transfer made by hand: the armed nonce is stale.
  const manual = await live.clients.wallet(guardian()).sendTransaction({ to: guardian().address, value: 0n });
  const { blockHash } = await live.clients.public.waitForTransactionReceipt({ hash: manual });
  const [sent] = await r.respond('test:trigger', {
    block: await live.clients.public.getBlock({ blockHash }),
  });
  expect(sent).toMatchObject({ status: 'sent', nonce: before + 1 });
  await r.tick();
  expect(await paused()).toBe(true);
  expect(await nonce()).toBe(before + 2);
});

it('armed while paused, judged on the block that unpaused and drained: the stale "already paused" is read again and the pause sent', async () => {
  await pauseByHand();
  const r = responder({ now: Date.now() });
  r.arm(); // reads: paused
  await new Promise((resolve) => setTimeout(resolve, 500));
  // The attacker, holding the admin role, unpauses in the next block (and drains in it).
  const admin = live.system.governance.timelock;
  await live.clients.test.impersonateAccount({ address: admin });
  await live.clients.test.setBalance({ address: admin, value: 10n ** 18n });
  const hash = await live.clients.wallet({ address: admin, type: 'json-rpc' }).writeContract({
    address: vault(),
    abi: parseAbi(['function unpause()']),
    functionName: 'unpause',
  });
  const { blockHash } = await live.clients.public.waitForTransactionReceipt({ hash });
  await live.clients.test.stopImpersonatingAccount({ address: admin });
  expect(await paused()).toBe(false);
  const [sent] = await r.respond('test:trigger', {
    block: await live.clients.public.getBlock({ blockHash }),
  });
  expect(sent?.status).toBe('sent');
  await r.tick();
  expect(await paused()).toBe(true);
});

async function pauseByHand() {
  const hash = await live.clients.wallet(guardian()).writeContract({
    address: vault(),
    abi: parseAbi(['function pause()']),
    functionName: 'pause',
  });
  await live.clients.public.waitForTransactionReceipt({ hash });
  expect(await paused()).toBe(true);
}
