/**
 * Rule `governance`: changes to who governs the protected system, one block at a time. It reads the block's events
 * (getLogs by the block's hash, so the events judged are those of exactly the block the follower handed over, never
 * of another block at that height after a reorg) of:
 * - the timelock and every protected contract: AccessControl `RoleGranted` / `RoleRevoked` / `RoleAdminChanged`
 *   (`watch-role-changed`);
 * - every ProxyAdmin and protected contract: Ownable `OwnershipTransferred` (`watch-owner-changed`);
 * - the Safe (1.4.1): `AddedOwner`, `RemovedOwner`, `ChangedThreshold`, `ChangedGuard`, `EnabledModule`,
 *   `DisabledModule`, `ChangedFallbackHandler` (`watch-safe-changed`; 1.4.1 has no `ChangedModuleGuard`);
 * - the timelock: `MinDelayChange` (`watch-timelock-delay-changed`) and `CallScheduled`.
 *
 * A `CallScheduled` is judged by its operation id alone: an id not in `knownOperations()` (every stored patch's
 * operation) is `watch-unproposed-operation`, one finding per id (a batch schedules one `CallScheduled` per call,
 * all with the batch's id), keyed by its first `CallScheduled` log, with `operation` = the id.
 *
 * Every other event is an alert unless a planned operation made it. Exactly how that is decided: the transaction's
 * receipt is read, and its logs emitted by the timelock's address (no other emitter counts) that are
 * `CallExecuted(id, index, …)` are taken in log order. The event is explained when the first such `CallExecuted`
 * after it (higher log index) carries an id in `knownOperations()`; otherwise (none after it, or an unknown id) it
 * is an alert. This holds because OpenZeppelin's TimelockController emits `CallExecuted(id, i)` right after call `i`
 * returns, in `execute` and in each step of `executeBatch`: the events a call causes lie between the previous
 * `CallExecuted` and its own, and a hidden call of a batch carries the batch's id, which no patch planned.
 * The one way around it — the timelock executing a known operation nested inside another operation's call — needs
 * the timelock to hold EXECUTOR_ROLE itself (or the role to be open), which this rule reports when it is granted.
 */
import {
  type Abi,
  type Address,
  getAddress,
  type Hex,
  isAddressEqual,
  type Log,
  type PublicClient,
  parseEventLogs,
  type TransactionReceipt,
} from 'viem';
import { makeFinding } from '../../analyze/catalog.js';
import { TIMELOCK_ABI } from '../../core/abis.js';
import type { BlockRef } from '../follow.js';
import type { BlockRule, WatchFinding } from '../rule.js';
import {
  describeCall,
  GOVERNANCE_EVENTS,
  type GovernanceEventName,
  PROXY_ADMIN_CALLS_ABI,
  ROLE_EVENTS,
  roleNames,
  SAFE_EVENTS,
  TIMELOCK_CALLS_ABI,
  type Watched,
  watchedAt,
} from './governance-events.js';

export interface GovernanceRuleOptions {
  client: PublicClient;
  timelock: Address;
  safe?: Address;
  proxyAdmins: readonly Address[];
  /** The protected contracts (proxies: their proxy address), named as in the config, with an ABI where known. */
  contracts: readonly { address: Address; name: string; abi?: Abi }[];
  /** Every timelock operation id a stored patch planned (store/planned-operations.ts plannedOperations). */
  knownOperations: () => Promise<ReadonlySet<Hex>>;
}

type GovernanceLog = Log<bigint, number, false, undefined, true, typeof GOVERNANCE_EVENTS>;

interface Judged {
  log: GovernanceLog;
  tx: Hex;
  /** The operation that executed the call which caused it, when the timelock ran one. */
  executedBy?: Hex;
}

interface Scope {
  options: GovernanceRuleOptions;
  watched: readonly Watched[];
  roles: ReadonlyMap<Hex, string>;
}

/** Which emitters each event is read from. */
function emitters(options: GovernanceRuleOptions, event: GovernanceEventName): readonly Address[] {
  const contracts = options.contracts.map((c) => c.address);
  if (ROLE_EVENTS.includes(event)) return [options.timelock, ...contracts];
  if (event === 'OwnershipTransferred') return [...options.proxyAdmins, ...contracts];
  if (SAFE_EVENTS.includes(event)) return options.safe ? [options.safe] : [];
  return [options.timelock];
}

const isFrom = (options: GovernanceRuleOptions, log: GovernanceLog): boolean =>
  emitters(options, log.eventName).some((a) => isAddressEqual(a, log.address));

const byPosition = (a: GovernanceLog, b: GovernanceLog): number =>
  a.transactionIndex - b.transactionIndex || a.logIndex - b.logIndex;

async function blockEvents(options: GovernanceRuleOptions, block: BlockRef): Promise<GovernanceLog[]> {
  const addresses = [
    options.timelock,
    ...(options.safe ? [options.safe] : []),
    ...options.proxyAdmins,
    ...options.contracts.map((c) => c.address),
  ];
  const logs = await options.client.getLogs({
    address: addresses,
    events: GOVERNANCE_EVENTS,
    blockHash: block.hash,
    strict: true,
  });
  return logs.filter((l) => isFrom(options, l)).sort(byPosition);
}

/** The timelock's `CallExecuted` logs of a transaction, in log order. */
function executions(timelock: Address, receipt: TransactionReceipt): { id: Hex; logIndex: number }[] {
  const own = receipt.logs.filter((l) => isAddressEqual(l.address, timelock));
  return parseEventLogs({ abi: TIMELOCK_ABI, eventName: 'CallExecuted', logs: own, strict: true })
    .map((l) => ({ id: l.args.id, logIndex: l.logIndex }))
    .sort((a, b) => a.logIndex - b.logIndex);
}

/** The events no planned operation made, each with the operation (if any) that did (see the header). */
async function unexplained(
  options: GovernanceRuleOptions,
  logs: readonly GovernanceLog[],
  known: ReadonlySet<Hex>,
): Promise<Judged[]> {
  const receipts = new Map<Hex, Promise<TransactionReceipt>>();
  const receiptOf = (hash: Hex) => {
    let r = receipts.get(hash);
    if (!r) {
      r = options.client.getTransactionReceipt({ hash });
      receipts.set(hash, r);
    }
    return r;
  };
  const out: Judged[] = [];
  for (const log of logs) {
    const executed = executions(options.timelock, await receiptOf(log.transactionHash));
    const executedBy = executed.find((e) => e.logIndex > log.logIndex)?.id;
    if (executedBy && known.has(executedBy)) continue;
    out.push({ log, tx: log.transactionHash, ...(executedBy ? { executedBy } : {}) });
  }
  return out;
}

function where(scope: Scope, address: Address): string {
  const w = watchedAt(scope.watched, address);
  return w ? `${w.label} ${address}` : address;
}

const roleName = (scope: Scope, role: Hex): string => scope.roles.get(role) ?? role;

/** What happened, in words, and how bad it is (undefined: the catalogue's severity). */
function describeEvent(
  scope: Scope,
  log: GovernanceLog,
): { id: Parameters<typeof makeFinding>[0]; what: string; severity?: 'critical' | 'medium' } {
  const onTimelock = isAddressEqual(log.address, scope.options.timelock);
  switch (log.eventName) {
    case 'RoleGranted':
    case 'RoleRevoked': {
      const { role, account, sender } = log.args;
      const verb = log.eventName === 'RoleGranted' ? 'granted to' : 'revoked from';
      return {
        id: 'watch-role-changed',
        what: `${roleName(scope, role)} ${verb} ${account} (by ${sender})`,
        ...(log.eventName === 'RoleGranted' && onTimelock ? { severity: 'critical' as const } : {}),
      };
    }
    case 'RoleAdminChanged': {
      const { role, previousAdminRole, newAdminRole } = log.args;
      return {
        id: 'watch-role-changed',
        what: `admin role of ${roleName(scope, role)} changed from ${roleName(scope, previousAdminRole)} to ${roleName(scope, newAdminRole)}`,
      };
    }
    case 'OwnershipTransferred':
      return {
        id: 'watch-owner-changed',
        what: `ownership transferred from ${log.args.previousOwner} to ${log.args.newOwner}`,
      };
    case 'MinDelayChange':
      return {
        id: 'watch-timelock-delay-changed',
        what: `minimum delay changed from ${log.args.oldDuration} s to ${log.args.newDuration} s`,
      };
    default:
      return describeSafeEvent(log);
  }
}

function describeSafeEvent(log: GovernanceLog): {
  id: 'watch-safe-changed';
  what: string;
  severity?: 'critical';
} {
  switch (log.eventName) {
    case 'AddedOwner':
      return { id: 'watch-safe-changed', what: `owner ${log.args.owner} added` };
    case 'RemovedOwner':
      return { id: 'watch-safe-changed', what: `owner ${log.args.owner} removed` };
    case 'ChangedThreshold':
      return { id: 'watch-safe-changed', what: `threshold changed to ${log.args.threshold}` };
    case 'ChangedGuard':
      return { id: 'watch-safe-changed', what: `transaction guard set to ${log.args.guard}` };
    case 'EnabledModule':
      return {
        id: 'watch-safe-changed',
        what: `module ${log.args.module} enabled (it can move anything without the owners' signatures)`,
        severity: 'critical',
      };
    case 'DisabledModule':
      return { id: 'watch-safe-changed', what: `module ${log.args.module} disabled` };
    case 'ChangedFallbackHandler':
      return { id: 'watch-safe-changed', what: `fallback handler set to ${log.args.handler}` };
    default:
      return { id: 'watch-safe-changed', what: log.eventName };
  }
}

function changeFinding(scope: Scope, judged: Judged): WatchFinding {
  const { log, tx } = judged;
  const emitter = getAddress(log.address);
  const { id, what, severity } = describeEvent(scope, log);
  const cause = judged.executedBy
    ? `made by timelock operation ${judged.executedBy}, which no patch planned`
    : 'not made by a timelock operation any patch planned';
  return {
    ...makeFinding(id, {
      message: `${where(scope, emitter)}: ${log.eventName}: ${what}, in tx ${tx} — ${cause}`,
      key: `${tx}:${log.logIndex}`,
      ...(severity ? { severity } : {}),
    }),
    contract: emitter,
    tx,
  };
}

type ScheduledLog = GovernanceLog & { eventName: 'CallScheduled' };

/** The contract an unproposed operation is about: its first protected target, else its first target. */
function operationContract(scope: Scope, calls: readonly ScheduledLog[]): Address {
  const targets = calls.map((c) => c.args.target);
  const isProtected = (t: Address) => scope.options.contracts.some((c) => isAddressEqual(c.address, t));
  return targets.find(isProtected) ?? (targets[0] as Address);
}

function unproposedFinding(scope: Scope, calls: readonly ScheduledLog[]): WatchFinding {
  const first = calls[0] as ScheduledLog;
  const { id, delay } = first.args;
  const tx = first.transactionHash;
  const described = calls
    .map((c) => `call ${c.args.index}: ${describeCall(scope.watched, c.args.target, c.args.data)}`)
    .join('; ');
  return {
    ...makeFinding('watch-unproposed-operation', {
      message: `timelock ${scope.options.timelock} scheduled operation ${id} (delay ${delay} s) that no patch proposed, in tx ${tx}: ${described}`,
      key: `${tx}:${first.logIndex}`,
    }),
    contract: operationContract(scope, calls),
    tx,
    operation: id,
  };
}

function unproposedFindings(scope: Scope, logs: readonly GovernanceLog[], known: ReadonlySet<Hex>) {
  const byId = new Map<Hex, ScheduledLog[]>();
  for (const log of logs) {
    if (log.eventName !== 'CallScheduled' || known.has(log.args.id)) continue;
    const calls = byId.get(log.args.id) ?? [];
    calls.push(log as ScheduledLog);
    byId.set(log.args.id, calls);
  }
  return [...byId.values()].map((calls) => unproposedFinding(scope, calls));
}

function scopeOf(options: GovernanceRuleOptions): Scope {
  const watched: Watched[] = [
    { address: options.timelock, label: 'timelock', abi: TIMELOCK_CALLS_ABI },
    ...(options.safe ? [{ address: options.safe, label: 'Safe' }] : []),
    ...options.proxyAdmins.map((address) => ({ address, label: 'ProxyAdmin', abi: PROXY_ADMIN_CALLS_ABI })),
    ...options.contracts.map((c) => ({
      address: c.address,
      label: c.name,
      ...(c.abi ? { abi: c.abi } : {}),
    })),
  ];
  const abis = options.contracts.flatMap((c) => (c.abi ? [c.abi] : []));
  return { options, watched, roles: roleNames(abis) };
}

/**
 * The governance-tampering rule (see the header for what it reads and how a planned change is told apart).
 *
 * @example
 * ```ts
 * const rule = governanceRule({ client, timelock, safe, proxyAdmins: [proxyAdmin], contracts: [{ address: vault, name: 'vault', abi }],
 *   knownOperations: () => plannedOperations(store) });
 * ```
 */
export function governanceRule(options: GovernanceRuleOptions): BlockRule {
  const scope = scopeOf(options);
  return {
    name: 'governance',
    async evaluate(block) {
      const logs = await blockEvents(options, block);
      if (logs.length === 0) return [];
      const known = await options.knownOperations();
      const changes = logs.filter((l) => l.eventName !== 'CallScheduled');
      const judged = await unexplained(options, changes, known);
      const findings = [
        ...unproposedFindings(scope, logs, known),
        ...judged.map((j) => changeFinding(scope, j)),
      ];
      return findings.sort((a, b) => position(a) - position(b));
    },
  };
}

/** Findings in block order: their key is `txHash:logIndex`, and log indexes are block-wide. */
function position(f: WatchFinding): number {
  return Number(f.key?.split(':')[1] ?? 0);
}
