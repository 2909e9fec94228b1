/**
 * What the watcher's end-to-end tests share: a fresh state dir holding the run's compiled example (so the CLI does
 * not compile again), an unexplained upgrade by a leaked key, the watcher CLI running in a child process with its
 * JSON lines readable as they come, and a bounded wait.
 */
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Hex, parseAbi } from 'viem';
import { type RunningCli, startCli } from './cli-async.js';
import { KEY_ENV, type LiveExample } from './live.js';

const PROXY_ADMIN_ABI = parseAbi([
  'function upgradeAndCall(address proxy, address implementation, bytes data) payable',
]);

/** A state dir of its own (its own store) with the run's compiler cache. */
export function freshState(live: LiveExample): string {
  const dir = mkdtempSync(join(tmpdir(), 'pg-watch-'));
  cpSync(join(live.stateDir, 'cache'), join(dir, 'cache'), { recursive: true });
  return dir;
}

/** The timelock's key leaks: whoever holds it upgrades the vault straight through the ProxyAdmin (same code). */
export async function leakedKeyUpgrade(live: LiveExample): Promise<{ hash: Hex; block: bigint }> {
  const timelock = live.system.governance.timelock;
  const c = live.system.contracts.get('vault');
  await live.clients.test.impersonateAccount({ address: timelock });
  await live.clients.test.setBalance({ address: timelock, value: 10n ** 18n });
  const hash = await live.clients.wallet({ address: timelock, type: 'json-rpc' }).writeContract({
    address: c?.proxyAdmin as Hex,
    abi: PROXY_ADMIN_ABI,
    functionName: 'upgradeAndCall',
    args: [c?.address as Hex, c?.implementation as Hex, '0x'],
  });
  await live.clients.test.stopImpersonatingAccount({ address: timelock });
  return { hash, block: (await live.clients.public.waitForTransactionReceipt({ hash })).blockNumber };
}

/** One printed event: `event` names it (alert, pause, …), the rest is the event's own. */
export type WatchLine = Record<string, unknown>;

/** JSON lines as printed. */
export const watchLines = (out: string): WatchLine[] =>
  out
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as WatchLine);

/** `patchgate watch …args` running until stopped; `lines()` is what it printed so far. */
export function startWatcher(
  args: string[],
  env: Record<string, string> = {},
): RunningCli & { lines(): WatchLine[]; stdout(): string } {
  let out = '';
  const running = startCli(['watch', ...args], { env });
  running.child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  return { ...running, stdout: () => out, lines: () => watchLines(out) };
}

/** Polls `probe` until it gives something (not undefined or false), at most `ms`. */
export async function until<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  ms = 60_000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The watcher on the live example with the guardian key, a store of its own, JSON lines (`extra` appended);
 * `config`: another config file than the example's. */
export function exampleWatcher(
  live: LiveExample,
  extra: string[] = [],
  config = join(live.configDir, 'patchgate.config.json'),
) {
  return startWatcher(
    [
      '--rpc',
      live.anvil.rpcUrl,
      '--config',
      config,
      '--state-dir',
      freshState(live),
      '--key-env',
      'GUARDIAN_KEY',
      '--format',
      'json',
      ...extra,
    ],
    KEY_ENV,
  );
}
