#!/usr/bin/env node
/**
 * Benchmark: `patchgate watch` (issue 12) on the bundled example deployed on an embedded anvil, the real watcher
 * (runWatch) in-process on a fresh in-memory store (PGlite) each run, beside a plain viem loop in the same run.
 *
 * 1. Detect → pause broadcast latency, RUNS runs each, p50 and p99, the watcher polling (watch.pollMs set to POLL)
 *    and then woken by its WebSocket subscription (--ws):
 *    a. a mined drain (the example's FlashDepositExploit, automine on): from the block's arrival — the moment the
 *       bench's own `newHeads` WebSocket subscription hears of it (anvil answers eth_sendRawTransaction before it
 *       has mined the block, so the send's return is not when the block exists) — to the watcher's `pause` event
 *       with an outcome `sent`, which it emits once eth_sendRawTransaction of the pause has returned; mempool off;
 *    b. a pending drain (automine off): from eth_sendRawTransaction returning to the same event; mempool on.
 *    Baselines: a viem `watchBlocks` loop (polling at the same interval, or subscribed) that reads the block's
 *    Transfer logs out of the vault and sends the guardian's pause; a viem `watchPendingTransactions` loop that
 *    fetches each pending transaction and sends the pause — no judgement, no simulation, no store, no log: the
 *    floor of a hand-rolled bot.
 * 2. Throughput and CPU: the outflows rule over M (contract, token) pairs (the vault and M − 1 addresses with no
 *    code, each block minting the token to one of them) and the invariants rule with N invariants (the example's,
 *    repeated), over K blocks mined beforehand: the watcher catches up from the first to the last (runWatch with
 *    from/untilBlock), its process CPU time (process.cpuUsage) and wall time per block, and anvil's CPU
 *    (/proc/PID/stat) beside; baseline: a plain loop reading the same blocks and the same Transfer logs.
 *
 * Needs `npm run build` first.
 *   node bench/watch.mjs [--runs N] [--poll MS] [--contracts M] [--invariants N] [--blocks K] [--passes P]
 *                        [--json FILE]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createPublicClient,
  encodeFunctionData,
  getAddress,
  keccak256,
  parseAbi,
  parseAbiItem,
  toHex,
  webSocket,
} from 'viem';
import WebSocket from 'ws';
import { arg, figure, freshDir, median, quantile, report, root } from './lib/common.mjs';
import { renderLines } from './lib/readme.mjs';

const RUNS = arg('--runs', 30);
const POLL = arg('--poll', 20);
const M = arg('--contracts', 1000);
const N = arg('--invariants', 30);
const K = arg('--blocks', 300);
const PASSES = arg('--passes', 3);

const dist = (p) => import(`${root}dist/${p}`);
const { loadConfig } = await dist('config/load.js');
const { loadProject } = await dist('build/index.js');
const { findContract } = await dist('build/find.js');
const { startAnvil } = await dist('chain/anvil.js');
const { connect, localAccount } = await dist('chain/clients.js');
const { abiOf, deploy } = await dist('chain/deploy.js');
const { deploySystem, withLiveAddresses } = await dist('system/deploy.js');
const { accountFor } = await dist('system/model.js');
const { openPglite } = await dist('store/db.js');
const { openStore } = await dist('store/store.js');
const { openLedger } = await dist('store/ledger-store.js');
const { storedCursor } = await dist('store/watch-cursor.js');
const { LOG_ORIGIN } = await dist('lifecycle/log-sync.js');
const { setUpWatch, watchConfigOf } = await dist('watch/setup.js');
const { runWatch } = await dist('watch/run.js');
const { outflowRule } = await dist('watch/rules/outflows.js');

const TRANSFER = parseAbiItem('event Transfer(address indexed from, address indexed to, uint256 value)');
const PAUSABLE = parseAbi(['function pause()', 'function paused() view returns (bool)']);
const PAUSE_DATA = encodeFunctionData({ abi: PAUSABLE, functionName: 'pause' });

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` every few ms until it returns something truthy; throws after `ms`. */
async function until(what, probe, ms = 30_000) {
  const end = performance.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(2);
  }
}

/** CPU seconds (user + system) anvil has used so far, from /proc (Linux); undefined elsewhere. */
function anvilCpuMs(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, in clock ticks of 1/100 s
  } catch {
    return undefined;
  }
}

// The example, deployed on one embedded anvil.
const work = freshDir('watch');
const exampleDir = join(root, 'examples/vault');
const project = await loadProject({ dir: exampleDir, stateDir: join(work, 'state') });
const anvil = await startAnvil();
const figures = [];
const notes = [];
try {
  const clients = await connect(anvil.rpcUrl);
  const rpc = (method, params = []) => clients.public.request({ method, params });
  const { config: example } = await loadConfig({ searchDir: exampleDir });
  const system = await deploySystem(clients, project, example.system);
  const live = { ...withLiveAddresses(example, system), project: exampleDir };
  const address = (name) => system.contracts.get(name).address;
  const vault = address('vault');
  const token = address('token');
  const guardian = localAccount(9);
  const attacker = localAccount(8);
  const deployer = clients.wallet(accountFor('deployer'));

  // The attacker's exploit, deployed and funded with its fee (as the config's poc says).
  const exploitHandle = findContract(project, 'FlashDepositExploit');
  const exploit = await deploy(clients.wallet(attacker), clients.public, exploitHandle);
  const tokenAbi = system.contracts.get('token').abi;
  await clients.public.waitForTransactionReceipt({
    hash: await deployer.writeContract({
      address: token,
      abi: tokenAbi,
      functionName: 'mint',
      args: [exploit, 50_000_000n],
    }),
  });
  const attackData = encodeFunctionData({ abi: abiOf(exploitHandle), functionName: 'attack', args: [vault] });
  /** The attack, signed in advance (so that the clock starts at the send, not at gas estimation). */
  const signedAttack = async () => {
    const nonce = await clients.public.getTransactionCount({ address: attacker.address });
    const block = await clients.public.getBlock({ blockTag: 'latest' });
    return attacker.signTransaction({
      chainId: clients.chain.id,
      type: 'eip1559',
      to: exploit,
      data: attackData,
      nonce,
      gas: 3_000_000n,
      maxFeePerGas: block.baseFeePerGas * 2n + 1_000_000_000n,
      maxPriorityFeePerGas: 1_000_000_000n,
    });
  };
  /** When each new block arrived, as a `newHeads` subscriber hears of it (the bench's clock, not the watcher's). */
  const heads = [];
  const socket = new WebSocket(anvil.rpcUrl.replace(/^http/, 'ws'));
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  socket.on('message', (m) => {
    if (JSON.parse(String(m)).method === 'eth_subscription') heads.push(performance.now());
  });
  socket.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_subscribe', params: ['newHeads'] }));
  await sleep(100);
  /** Sends the raw attack; the clock starts when the node has it in its mempool (pending) or has mined its block. */
  const launch = async (raw, pending) => {
    const seen = heads.length;
    await rpc('eth_sendRawTransaction', [raw]);
    if (pending) return performance.now();
    await until('the attack to be mined', async () => heads.length > seen);
    return heads[seen];
  };
  const paused = () => clients.public.readContract({ address: vault, abi: PAUSABLE, functionName: 'paused' });

  let snapshot = await rpc('evm_snapshot');
  /** Back to the armed state, mempool empty, automine as asked. */
  const reset = async (automine) => {
    await rpc('anvil_dropAllTransactions');
    await rpc('evm_setAutomine', [true]);
    if (!(await rpc('evm_revert', [snapshot]))) throw new Error('evm_revert failed');
    snapshot = await rpc('evm_snapshot');
    if (await paused()) throw new Error('the vault is paused after the revert');
    await rpc('evm_setAutomine', [automine]);
  };

  /** The real watcher on a fresh in-memory store; resolves once its cursor holds the head it started at. */
  async function startWatcher({ pending, ws }) {
    const db = await openPglite('memory://');
    await openStore(db);
    const ledger = await openLedger(db, { origin: LOG_ORIGIN });
    const config = { ...live, watch: { ...watchConfigOf(live), pollMs: POLL, pending } };
    const setup = await setUpWatch({
      clients,
      project,
      config,
      baseDir: exampleDir,
      ledger,
      knownOperations: async () => new Set(),
    });
    const controller = new AbortController();
    let onSent;
    const sent = new Promise((resolve) => {
      onSent = resolve;
    });
    const errors = [];
    const running = runWatch({
      clients,
      config,
      setup,
      ...(ws ? { wsUrl: anvil.rpcUrl.replace(/^http/, 'ws') } : {}),
      db,
      ledger,
      guardian,
      signal: controller.signal,
      emit: (e) => {
        const at = performance.now();
        if (e.kind === 'pause' && e.outcomes.some((o) => o.status === 'sent')) onSent(at);
        if (e.kind === 'error') errors.push(`${e.code}: ${e.message}`);
      },
    });
    const cursor = storedCursor(db, { name: config.watch.name, chainId: clients.chain.id });
    const head = await clients.public.getBlockNumber();
    await until('the watcher to reach the head', async () => (await cursor.load()).at(-1)?.number >= head);
    // A watcher that has been running, as in production: its subscription (--ws) is open and answered, its pause
    // armed; one just started would be measured on its first second instead.
    await sleep(300);
    return {
      sent,
      errors,
      async stop() {
        controller.abort();
        await running;
        await db.close?.();
      },
    };
  }

  /** One watcher run: the attack sent (mined or pending), the time to the pause broadcast. */
  async function watcherRun(pending, ws) {
    await reset(!pending);
    const raw = await signedAttack();
    const w = await startWatcher({ pending, ws });
    try {
      const t0 = await launch(raw, pending);
      const t1 = await Promise.race([
        w.sent,
        sleep(30_000).then(() => {
          throw new Error(`no pause within 30 s (${w.errors.join('; ') || 'no error reported'})`);
        }),
      ]);
      return t1 - t0;
    } finally {
      await w.stop();
    }
  }

  /** The baseline's push client: viem over a WebSocket, subscribing (never polling). */
  const pushClient = createPublicClient({ transport: webSocket(anvil.rpcUrl.replace(/^http/, 'ws')) });

  /** One baseline run: a hand-rolled viem loop (polling at the same interval, or subscribed), pausing on the
   * first sign. */
  async function baselineRun(pending, ws) {
    const watching = ws ? pushClient : clients.public;
    const how = ws ? { poll: false } : { poll: true, pollingInterval: POLL };
    await reset(!pending);
    const raw = await signedAttack();
    const wallet = clients.wallet(guardian);
    let fired = false;
    let onSent;
    const sent = new Promise((resolve) => {
      onSent = resolve;
    });
    const fire = async () => {
      if (fired) return;
      fired = true;
      await wallet.sendTransaction({ to: vault, data: PAUSE_DATA });
      onSent(performance.now());
    };
    let ready;
    const started = new Promise((resolve) => {
      ready = resolve;
    });
    const unwatch = pending
      ? watching.watchPendingTransactions({
          ...how,
          onTransactions: async (hashes) => {
            for (const hash of hashes) {
              const tx = await clients.public.getTransaction({ hash }).catch(() => undefined);
              if (tx?.to && getAddress(tx.to) === getAddress(exploit)) await fire();
            }
          },
        })
      : watching.watchBlocks({
          ...how,
          emitOnBegin: true,
          onBlock: async (block) => {
            ready();
            const logs = await clients.public.getLogs({
              address: token,
              event: TRANSFER,
              args: { from: vault },
              blockHash: block.hash,
            });
            if (logs.some((l) => l.args.value > 10_000_000_000n)) await fire();
          },
        });
    try {
      if (pending)
        await sleep(3 * POLL + 100); // the filter (or the subscription) is installed at the first poll
      else await started;
      const t0 = await launch(raw, pending);
      const t1 = await Promise.race([
        sent,
        sleep(30_000).then(() => {
          throw new Error('the plain loop sent no pause within 30 s');
        }),
      ]);
      return t1 - t0;
    } finally {
      unwatch();
    }
  }

  // 1. Latency, alternating watcher and baseline runs (one warm-up of each first): polling, then --ws.
  for (const [pending, ws, what] of [
    [false, false, 'a mined drain: block arrived → pause broadcast'],
    [true, false, 'a pending drain: sendRawTransaction returned → pause broadcast'],
    [false, true, 'a mined drain: block arrived → pause broadcast'],
    [true, true, 'a pending drain: sendRawTransaction returned → pause broadcast'],
  ]) {
    await watcherRun(pending, ws);
    await baselineRun(pending, ws);
    const ours = [];
    const plain = [];
    for (let i = 0; i < RUNS; i++) {
      ours.push(await watcherRun(pending, ws));
      plain.push(await baselineRun(pending, ws));
    }
    const mode = ws ? '--ws' : `polling every ${POLL} ms`;
    console.log(
      `${what} (${mode}): watcher p50 ${quantile(ours, 0.5).toFixed(1)} ms p99 ${quantile(ours, 0.99).toFixed(1)} ms, max ${Math.max(...ours).toFixed(1)} ms; plain loop p50 ${quantile(plain, 0.5).toFixed(1)} ms p99 ${quantile(plain, 0.99).toFixed(1)} ms`,
    );
    const baseLabel = `${pending ? 'viem watchPendingTransactions + pause' : 'viem watchBlocks + getLogs + pause'}${ws ? ' (subscribed)' : ''}`;
    for (const [q, name] of [
      [0.5, 'p50'],
      [0.99, 'p99'],
    ]) {
      figures.push(
        figure(`watch, ${what}, ${name} (${mode})`, quantile(ours, q), 'ms', RUNS, {
          label: `${baseLabel}, ${name}`,
          value: quantile(plain, q),
        }),
      );
    }
  }
  notes.push(
    `Latency: one embedded anvil, the watcher in-process on a fresh in-memory PGlite store each run (started, at the head, then left 300 ms to settle: a watcher that has been running), state reset with evm_snapshot/evm_revert. A mined drain's clock starts when the block arrives (the bench's own newHeads subscription: anvil answers eth_sendRawTransaction before it has mined), a pending one's when eth_sendRawTransaction of the attack returns; both stop when the pause's eth_sendRawTransaction has returned. Polling: watch.pollMs ${POLL} (the example's config says 100), half of it waited on average; --ws: woken by a newHeads/newPendingTransactions subscription, everything still read over HTTP. The baselines poll at the same interval, or subscribe. p99 is the nearest rank over the runs (of 30: the slowest but none). Target: p99 ≤ 50 ms.`,
  );

  socket.close();

  // 2. Throughput and CPU over K blocks, M (contract, token) pairs, N invariants.
  await reset(true);
  const watched = [
    vault,
    ...Array.from({ length: M - 1 }, (_, i) => getAddress(keccak256(toHex(`bench-watch-${i}`)).slice(0, 42))),
  ];
  const mined = [];
  for (let i = 0; i < K; i++) {
    const hash = await deployer.writeContract({
      address: token,
      abi: tokenAbi,
      functionName: 'mint',
      args: [watched[1 + (i % (M - 1 || 1))] ?? vault, 1_000n],
    });
    mined.push((await clients.public.waitForTransactionReceipt({ hash })).blockNumber);
  }
  const first = mined[0];
  const last = mined[K - 1];
  if (new Set(mined).size !== K || last - first + 1n !== BigInt(K))
    throw new Error(`the ${K} mints were not mined one per block, in a row`);
  const invariants = Array.from({ length: N }, (_, i) => ({
    ...live.invariants[i % live.invariants.length],
    name: `inv-${i}`,
  }));
  const asset = live.watch.rules.outflows.assets[0];

  async function watcherPass() {
    const db = await openPglite('memory://');
    await openStore(db);
    const ledger = await openLedger(db, { origin: LOG_ORIGIN });
    const base = watchConfigOf(live);
    const config = {
      ...live,
      invariants,
      watch: {
        ...base,
        pollMs: POLL,
        pending: false,
        rules: {
          upgrades: { ...base.rules.upgrades, enabled: false },
          governance: { ...base.rules.governance, enabled: false },
          invariants: { ...base.rules.invariants, enabled: true, respond: 'alert' },
          outflows: { ...base.rules.outflows, enabled: false },
        },
      },
    };
    const setup = await setUpWatch({
      clients,
      project,
      config,
      baseDir: exampleDir,
      ledger,
      knownOperations: async () => new Set(),
    });
    const outflows = outflowRule({
      client: clients.public,
      contracts: watched,
      assets: [
        {
          token,
          symbol: 'token',
          cap: BigInt(asset.cap),
          factor: asset.factor,
          window: asset.window,
          floor: BigInt(asset.floor),
        },
      ],
    });
    const rules = [...setup.rules, { rule: outflows, respond: 'alert' }];
    if (rules.length !== 2)
      throw new Error(`expected the invariants and outflows rules, got ${rules.length}`);
    let alerts = 0;
    const errors = [];
    const a0 = anvilCpuMs(anvil.pid);
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await runWatch({
      clients,
      config,
      setup: { ...setup, rules, pauseTargets: [] },
      db,
      ledger,
      from: first,
      untilBlock: last,
      emit: (e) => {
        if (e.kind === 'alert') alerts++;
        if (e.kind === 'error') errors.push(`${e.code}: ${e.message}`);
      },
    });
    const wall = performance.now() - t0;
    const c = process.cpuUsage(c0);
    const a1 = anvilCpuMs(anvil.pid);
    await db.close?.();
    if (errors.length) throw new Error(`the watcher reported errors: ${errors.join('; ')}`);
    if (alerts !== 0) throw new Error(`${alerts} alerts on blocks that only mint: the rules misjudge`);
    return { wall, cpu: (c.user + c.system) / 1000, anvil: a0 === undefined ? undefined : a1 - a0 };
  }

  async function baselinePass() {
    const a0 = anvilCpuMs(anvil.pid);
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    let logs = 0;
    for (let n = first; n <= last; n++) {
      const block = await clients.public.getBlock({ blockNumber: n });
      const filter = { address: token, event: TRANSFER, blockHash: block.hash };
      const [out, into] = await Promise.all([
        clients.public.getLogs({ ...filter, args: { from: watched } }),
        clients.public.getLogs({ ...filter, args: { to: watched } }),
      ]);
      logs += out.length + into.length;
    }
    const wall = performance.now() - t0;
    const c = process.cpuUsage(c0);
    const a1 = anvilCpuMs(anvil.pid);
    if (logs !== K) throw new Error(`the plain loop read ${logs} Transfer logs, not ${K}`);
    return { wall, cpu: (c.user + c.system) / 1000, anvil: a0 === undefined ? undefined : a1 - a0 };
  }

  await watcherPass(); // warm-up
  await baselinePass();
  const ours = [];
  const plain = [];
  for (let i = 0; i < PASSES; i++) {
    ours.push(await watcherPass());
    plain.push(await baselinePass());
  }
  const per = (xs, k) => median(xs.map((x) => x[k] / K));
  const shape = `${N} invariants + outflows over ${M} contracts`;
  console.log(
    `throughput, ${shape}, ${K} blocks: watcher ${per(ours, 'wall').toFixed(2)} ms wall, ${per(ours, 'cpu').toFixed(2)} ms CPU per block (anvil ${ours[0].anvil === undefined ? '?' : per(ours, 'anvil').toFixed(2)} ms); plain loop ${per(plain, 'wall').toFixed(2)} ms wall, ${per(plain, 'cpu').toFixed(2)} ms CPU`,
  );
  figures.push(
    figure(
      `watch, ${shape}: blocks/s (catching up over ${K} blocks)`,
      1000 / per(ours, 'wall'),
      'blocks/s',
      PASSES,
      {
        label: 'plain loop, same blocks and Transfer logs',
        value: 1000 / per(plain, 'wall'),
      },
    ),
    figure(`watch, ${shape}: watcher process CPU per block`, per(ours, 'cpu'), 'ms', PASSES, {
      label: 'plain loop',
      value: per(plain, 'cpu'),
    }),
    figure(
      `watch, ${shape}: share of one core at 1 block/s (CPU per block / 1 s)`,
      per(ours, 'cpu') / 10,
      '%',
      PASSES,
      { label: 'target', value: 50 },
    ),
  );
  if (ours[0].anvil !== undefined) {
    figures.push(
      figure(
        `watch, ${shape}: anvil's CPU per block (the node answering)`,
        per(ours, 'anvil'),
        'ms',
        PASSES,
        {
          label: 'plain loop',
          value: per(plain, 'anvil'),
        },
      ),
    );
  }
  notes.push(
    `Throughput: ${K} blocks mined beforehand (one token mint to a watched address each), the watcher started at the first with a fresh in-memory store and stopped at the last (runWatch from/untilBlock); ${M} watched addresses (the vault and ${M - 1} without code), ${N} invariants (the example's three, repeated) read in one multicall per block. CPU is process.cpuUsage of the bench process while the watcher alone runs (store included); anvil's from /proc. Medians of ${PASSES} passes. Scale with --contracts, --invariants, --blocks.`,
  );
} finally {
  await anvil.stop();
}

const result = report('watch', RUNS, figures, notes);
console.log(renderLines(result).join('\n'));
process.exit(0);
