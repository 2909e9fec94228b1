/**
 * The system a patch was proposed for must be on the chain `--rpc` points at. A fresh or restarted node with
 * the same chain id has none of it, and reading a Safe or a timelock that is not there fails deep in viem with
 * a multi-line dump; this check names the first missing contract instead, in one line.
 *
 * Exit 2, not 3: the node answered, and what it says contradicts the store and the config — the fix is in
 * the input (`--rpc`, or the config's `live` addresses), and running again against the same node cannot
 * help. Exit 3 stays for a node that does not answer (`rpc-unreachable`). The same call as `wrong-chain`.
 * The RPC URL is not printed: it often carries an API key.
 */

import type { Address } from 'viem';
import { inputError } from '../core/errors.js';
import type { Lifecycle, PlannedPatch } from './lifecycle.js';

export async function requireDeployed(lc: Lifecycle, patch: PlannedPatch): Promise<void> {
  const parts: [Address, string][] = [
    [patch.record.proxy, `${patch.plan.contract} proxy`],
    [patch.plan.timelock, 'timelock'],
    [patch.plan.safe, 'Safe'],
    [patch.record.target, 'upgrade target'],
  ];
  const codes = await Promise.all(parts.map(([address]) => lc.clients.public.getCode({ address })));
  const missing = parts.findIndex((_, i) => !codes[i] || codes[i] === '0x');
  if (missing < 0) return;
  const [address, what] = parts[missing] as [Address, string];
  throw inputError(
    'system-not-deployed',
    `no contract at ${address} (${what}) on chain ${lc.clients.chain.id}`,
    `--rpc is not the chain patch ${patch.digest.slice(0, 10)}… was proposed on (a restarted local node has lost its contracts): point --rpc at that chain`,
  );
}
