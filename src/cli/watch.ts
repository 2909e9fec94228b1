/**
 * `patchgate watch`: the live monitor. Follows the chain named by --rpc (and its mempool where the node shows it),
 * judges every block with the config's `watch` rules, logs each alert, and pauses through the guardian key (or
 * cancels through the canceller key) as each rule's `respond` says. One line per event on stdout — text, or JSON
 * lines with `--format json` — until interrupted (SIGINT/SIGTERM end it cleanly, exit 0) or `--until BLOCK`.
 */
import { appendFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import type { Hex } from 'viem';
import { inputError } from '../core/errors.js';
import { jsonLine } from '../core/report-json.js';
import { loadAccount } from '../govern/keys.js';
import { requirePauser } from '../govern/policy.js';
import { cancelOperation } from '../lifecycle/cancel-operation.js';
import { projectOf } from '../lifecycle/context.js';
import { connectChain } from '../lifecycle/create.js';
import { LOG_ORIGIN } from '../lifecycle/log-sync.js';
import { openLedger } from '../store/ledger-store.js';
import { plannedOperations } from '../store/planned-operations.js';
import type { WatchRunEvent } from '../watch/run.js';
import { parseWsUrl } from '../watch/subscribe.js';
import { type LifecycleOptions, openStoreFrom, optionalAccount } from './lifecycle.js';
import {
  addKeyOptions,
  addOutputOptions,
  addProjectOptions,
  addRpcOption,
  addStoreOptions,
  blockNumber,
  type KeyOptions,
} from './options.js';

interface WatchOptions extends LifecycleOptions, KeyOptions {
  cancellerKeyEnv?: string;
  ws?: string;
  dryRun?: boolean;
  from?: bigint;
  until?: bigint;
}

/** One event as a text line. */
export function watchText(e: WatchRunEvent): string {
  switch (e.kind) {
    case 'started':
      return `WATCHING chain ${e.chainId} ${e.from === undefined ? `from its cursor or the head (${e.head})` : e.from > e.head ? `from block ${e.from} (the head is ${e.head}: waiting for it)` : `from block ${e.from}`}: rules ${e.rules.join(', ')}; pause targets ${e.pauseTargets.join(', ') || 'none'}; mempool ${e.pending ? 'on' : 'off'}`;
    case 'alert': {
      const a = e.alert;
      const where = a.pending ? `pending ${a.pending} on block ${a.block.number}` : `block ${a.block.number}`;
      return `ALERT ${a.severity} ${a.rule}/${a.id} ${where}: ${a.message} (log #${a.logIndex})`;
    }
    case 'leader':
      return e.leads
        ? `LEADER this watcher (${e.holder}) responds`
        : `FOLLOWER another watcher leads: this one alerts only`;
    case 'rollback':
      return `ROLLBACK to block ${e.to}: ${e.dropped.length} block(s) no longer canonical`;
    case 'pause':
      return e.outcomes
        .map((o) =>
          o.status === 'sent'
            ? `PAUSE sent to ${o.target}: tx ${o.txHash} (nonce ${o.nonce}, priority fee ${o.priorityFee} wei)`
            : o.status === 'refused'
              ? `PAUSE refused for ${o.target}: ${o.reason}`
              : `PAUSE ${o.status} ${o.target}`,
        )
        .join('\n');
    case 'pause-progress': {
      const p = e.progress;
      if (p.status === 'superseded')
        return `PAUSE superseded for ${p.target}: another transaction of the guardian used nonce ${p.nonce}`;
      if (p.status === 'reopened')
        return `PAUSE reopened for ${p.target}: tx ${p.txHash} was in a block a reorg dropped, sending it again`;
      return p.status === 'replaced'
        ? `PAUSE replaced for ${p.target}: tx ${p.txHash} (nonce ${p.nonce}, priority fee ${p.priorityFee} wei)`
        : `PAUSE ${p.status} for ${p.target}: tx ${p.txHash} in block ${p.blockNumber}`;
    }
    case 'cancel':
      return e.txHash && !e.already
        ? `CANCEL timelock operation ${e.operation}: tx ${e.txHash}`
        : `CANCEL timelock operation ${e.operation}: ${e.already ? 'already cancelled' : 'dry run, not sent'}`;
    case 'error':
      return `ERROR ${e.code}: ${e.message}`;
  }
}

export function watchCommand(onExit: (code: number) => void): Command {
  const cmd = new Command('watch').description(
    'watch the live contracts: alert on unexplained upgrades, governance tampering, broken invariants and abnormal outflows, and pause (guardian key) or cancel as the config says',
  );
  addRpcOption(cmd, { required: true, note: 'the chain watched' });
  addProjectOptions(cmd);
  addStoreOptions(cmd);
  addOutputOptions(cmd, ['text', 'json']);
  addKeyOptions(cmd, 'the guardian (pause only)');
  cmd
    .addOption(
      new Option(
        '--ws <url>',
        'WebSocket URL of the same node: new heads and pending transactions wake the watcher at once',
      ).argParser((v: string) => parseWsUrl(v)),
    )
    .option(
      '--canceller-key-env <name>',
      "environment variable holding the canceller's private key (timelock CANCELLER_ROLE only): cancel responses",
    )
    .option('--dry-run', 'alert and simulate responses, never sign or send one')
    .addOption(
      new Option(
        '--from <block>',
        'first block to judge when this watcher has no cursor yet (default: the head)',
      ).argParser(blockNumber('--from')),
    )
    .addOption(
      new Option('--until <block>', 'stop once this block is judged').argParser(blockNumber('--until')),
    );
  cmd.action(async (opts: WatchOptions) => {
    if (opts.from !== undefined && opts.until !== undefined && opts.until < opts.from) {
      throw inputError(
        'invalid-argument',
        `--until ${opts.until} is before --from ${opts.from}`,
        'pass an --until at or after --from',
      );
    }
    const guardian = optionalAccount(opts);
    const canceller = opts.cancellerKeyEnv ? loadAccount({ keyEnv: opts.cancellerKeyEnv }) : undefined;
    const lc = await connectChain({
      rpc: opts.rpc as string,
      config: opts.config,
      projectDir: opts.project,
      stateDir: opts.stateDir,
    });
    // A guardian key the policy does not name is refused at start, not when an attack is under way.
    if (guardian) requirePauser(lc.config.policy, guardian.address);
    const store = await openStoreFrom(opts, { create: true });
    const controller = new AbortController();
    const stop = () => controller.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      const ledger = await openLedger(store.db, { origin: LOG_ORIGIN });
      const { setUpWatch } = await import('../watch/setup.js');
      const { runWatch } = await import('../watch/run.js');
      const setup = await setUpWatch({
        clients: lc.clients,
        project: await projectOf(lc),
        config: lc.config,
        baseDir: lc.projectDir,
        ledger,
        knownOperations: () => plannedOperations(store),
      });
      const timelock = setup.system.governance.timelock;
      const write = (e: WatchRunEvent) => {
        const line = opts.format === 'json' ? jsonLine({ event: e.kind, ...e }) : `${watchText(e)}\n`;
        if (opts.out) appendFileSync(opts.out, line);
        else process.stdout.write(line);
      };
      await runWatch({
        clients: lc.clients,
        config: lc.config,
        setup,
        db: store.db,
        ledger,
        ...(guardian ? { guardian } : {}),
        ...(canceller ? { cancel: (id: Hex) => cancelOperation(lc, { timelock, id, canceller }) } : {}),
        ...(opts.dryRun ? { dryRun: true } : {}),
        ...(opts.ws ? { wsUrl: opts.ws } : {}),
        env: process.env,
        ...(opts.from !== undefined ? { from: opts.from } : {}),
        ...(opts.until !== undefined ? { untilBlock: opts.until } : {}),
        signal: controller.signal,
        emit: write,
      });
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      await store.close();
    }
    onExit(0);
  });
  return cmd;
}
