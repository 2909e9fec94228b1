/**
 * The demo's watch stage: the attacker comes back. On a copy of the live chain (an anvil snapshot, reverted
 * afterwards, as the exploit stage runs), the watcher runs in-process with its rules from the example's config;
 * blocks are mined every second; the attacker's exploit transaction enters the mempool. The watcher sees it pending,
 * simulates it, and the guardian's pause — priced above the attacker's fee — is mined first: the attack reverts and
 * nothing leaves the vault. The report says what was detected and when, the pause transaction, and the value lost.
 */
import { type Address, erc20Abi, type Hex, type LocalAccount } from 'viem';
import type { Project } from '../build/types.js';
import type { Clients } from '../chain/clients.js';
import type { Config, PocConfig } from '../config/schema.js';
import { armPoc } from '../simulate/poc.js';
import { openPglite } from '../store/db.js';
import { openLedger } from '../store/ledger-store.js';
import { openStore } from '../store/store.js';
import { accountFor, type DeployedSystem } from '../system/model.js';
import { runWatch, type WatchRunEvent } from '../watch/run.js';
import { setUpWatch } from '../watch/setup.js';

export interface DemoWatch {
  /** The attack transaction, and how it ended. */
  attack: { txHash: Hex; status: 'success' | 'reverted'; blockNumber: bigint };
  /** What the watcher raised, with milliseconds from the attack entering the mempool. */
  detected: { rule: string; id: string; severity: string; pending: boolean; afterMs: number }[];
  /** The guardian's pause: its transaction, block and position, and when it was broadcast. */
  pause?: { txHash: Hex; blockNumber: bigint; sameBlock: boolean; before: boolean; afterMs: number };
  /** Tokens that left the vault during the attack (smallest unit). */
  valueLost: string;
  /** The stage ran on a snapshot of the live chain, reverted afterwards. */
  onSnapshot: true;
}

async function until<T>(probe: () => T | undefined, ms: number): Promise<T | undefined> {
  const end = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > end) return undefined;
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function watchStage(params: {
  clients: Clients;
  project: Project;
  config: Config;
  projectDir: string;
  system: DeployedSystem;
  poc: PocConfig;
}): Promise<DemoWatch> {
  const { clients, system } = params;
  const vault = system.contracts.get(params.poc.target)?.address as Address;
  const snapshot = await clients.test.snapshot();
  const db = await openPglite('memory://');
  const controller = new AbortController();
  let running: Promise<void> | undefined;
  /** Why the watcher stopped early, if it did (kept, so it is never an unhandled rejection). */
  let failed: unknown;
  try {
    const store = await openStore(db);
    const ledger = await openLedger(db, { origin: 'patchgate-demo-watch' });
    const armed = await armPoc(clients, params.project, system, params.poc);
    const assets = () =>
      clients.public.readContract({
        address: armed.token,
        abi: erc20Abi,
        functionName: 'balanceOf',
        args: [vault],
      });
    const setup = await setUpWatch({
      clients,
      project: params.project,
      config: params.config,
      baseDir: params.projectDir,
      ledger,
      knownOperations: async () => new Set(),
    });
    const events: { at: number; event: WatchRunEvent }[] = [];
    running = runWatch({
      clients,
      config: params.config,
      setup,
      db: store.db,
      ledger,
      guardian: accountFor('guardian') as LocalAccount,
      signal: controller.signal,
      emit: (event) => {
        events.push({ at: performance.now(), event });
      },
    }).catch((e: unknown) => {
      failed = e;
    });
    await until(() => events.find((e) => e.event.kind === 'leader'), 30_000);
    const before = await assets();
    await clients.test.setAutomine(false);
    await clients.public.request({ method: 'evm_setIntervalMining' as never, params: [1] as never });
    const sent = performance.now();
    const txHash = await clients
      .wallet(accountFor('attacker'))
      .sendTransaction({ to: armed.exploit, data: armed.data });
    const receipt = await clients.public.waitForTransactionReceipt({ hash: txHash });
    const pauseEvent = await until(() => {
      for (const { at, event } of events) {
        if (event.kind !== 'pause') continue;
        const o = event.outcomes.find((x) => x.status === 'sent');
        if (o?.status === 'sent') return { at, txHash: o.txHash };
      }
      return undefined;
    }, 10_000);
    if (failed !== undefined) throw failed;
    const pauseReceipt = pauseEvent
      ? await clients.public.waitForTransactionReceipt({ hash: pauseEvent.txHash })
      : undefined;
    const lost = before - (await assets());
    return {
      attack: { txHash, status: receipt.status, blockNumber: receipt.blockNumber },
      detected: events.flatMap(({ at, event }) =>
        event.kind === 'alert'
          ? [
              {
                rule: event.alert.rule,
                id: event.alert.id,
                severity: event.alert.severity,
                pending: event.alert.pending !== undefined,
                afterMs: Math.round(at - sent),
              },
            ]
          : [],
      ),
      ...(pauseEvent && pauseReceipt
        ? {
            pause: {
              txHash: pauseEvent.txHash,
              blockNumber: pauseReceipt.blockNumber,
              sameBlock: pauseReceipt.blockNumber === receipt.blockNumber,
              before: pauseReceipt.transactionIndex < receipt.transactionIndex,
              afterMs: Math.round(pauseEvent.at - sent),
            },
          }
        : {}),
      valueLost: (lost > 0n ? lost : 0n).toString(),
      onSnapshot: true,
    };
  } finally {
    controller.abort();
    await running;
    await db.close();
    await clients.public.request({ method: 'evm_setIntervalMining' as never, params: [0] as never });
    await clients.test.setAutomine(true);
    await clients.public.request({ method: 'anvil_dropAllTransactions' as never });
    await clients.test.revert({ id: snapshot });
  }
}
