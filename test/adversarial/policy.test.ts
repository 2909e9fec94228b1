/**
 * Attacks on the policy's lane rules (docs/risk.md), through the real CLI against the example deployed on a real
 * anvil: a lane the policy keeps a bug out of, funds that arrive after approval and push the standard lane over its
 * cap, a cap that cannot be checked, a triage that plays a proven theft down, a pause by a key the policy does not
 * name. Also: a config's token decimals or a $0 price that would value the funds at $0.00.
 * Each is refused with its exact exit code, naming the rule, and leaves the store and the chain as they were.
 */

import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Address, erc20Abi, type Hex, parseAbi } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localAccount } from '../../src/chain/clients.js';
import type { ConfigInput } from '../../src/config/schema.js';
import { TIMELOCK_ABI } from '../../src/core/abis.js';
import type { AssessReport } from '../../src/lifecycle/assess.js';
import { cliOn, type LiveExample, okJson, startLiveExample } from '../helpers/live.js';

let live: LiveExample;
let state: string;
let vault: Address;
const files = mkdtempSync(join(tmpdir(), 'pg-adv-policy-'));
let n = 0;

/** The live example's config with `edit` applied, written to a file of its own: its path. */
function configWith(edit: (c: ConfigInput) => void): string {
  const c = JSON.parse(readFileSync(join(live.configDir, 'patchgate.config.json'), 'utf8')) as ConfigInput;
  edit(c);
  const file = join(files, `config-${++n}.json`);
  writeFileSync(file, JSON.stringify(c, null, 2));
  return file;
}

const run = (args: string[], config?: string) =>
  cliOn(live, state, [...args, ...(config ? ['--config', config] : [])]);
const patches = () =>
  okJson<{ digest: Hex; state: string; approvals: unknown[] }[]>(run(['status', '--format', 'json']));
const scheduled = () =>
  live.clients.public.getContractEvents({
    address: live.system.governance.timelock,
    abi: TIMELOCK_ABI,
    eventName: 'CallScheduled',
    fromBlock: 0n,
  });

beforeAll(async () => {
  live = await startLiveExample();
  vault = live.system.contracts.get('vault')?.address as Address;
  state = mkdtempSync(join(tmpdir(), 'pg-adv-policy-state-'));
  cpSync(join(live.stateDir, 'cache'), join(state, 'cache'), { recursive: true });
}, 240_000);

afterAll(async () => {
  await live?.anvil.stop();
});

describe('policy rules', () => {
  it('emergency lane for a bug the policy keeps out of it', () => {
    // rewards-claim-for fixes nothing and has no PoC: unclassified, which policy.lanes.emergency.severities excludes.
    const r = run([
      'propose',
      '--patch',
      'rewards-claim-for',
      '--lane',
      'emergency',
      '--key-env',
      'DEPLOYER_KEY',
    ]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain('policy.lanes.emergency.severities');
    expect(r.stderr).toContain('this one is unclassified');
    expect(patches()).toEqual([]);
  }, 240_000);

  it('a cap the value at risk cannot be checked against', () => {
    const config = configWith((c) => {
      c.risk = { assets: [] };
    });
    const r = run(['propose', '--patch', 'fix-flash-deposit', '--key-env', 'DEPLOYER_KEY'], config);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain('policy.lanes.standard.maxValueAtRisk');
    expect(r.stderr).toContain('the value at risk is unknown');
    expect(patches()).toEqual([]);
  }, 240_000);

  it('a triage that plays a proven theft down', () => {
    const config = configWith((c) => {
      const fix = c.patches?.find((p) => p.name === 'fix-flash-deposit');
      if (fix) fix.risk = { severity: 'low', impact: 'cosmetic' };
    });
    const a = okJson<AssessReport>(run(['assess', 'fix-flash-deposit', '--format', 'json'], config));
    expect(a.severity.level).toBe('critical');
    expect(a.severity.basis).toContain('triaged low in the config (patches[].risk.severity)');
    expect(a.lane.recommended).toBe('emergency');
  }, 240_000);

  /** Propose in the standard lane, under a $1000 cap the vault's $60 000 breaks, with the risk config `edit`ed. */
  const underCap = (edit: (assets: NonNullable<NonNullable<ConfigInput['risk']>['assets']>) => void) => {
    const fresh = mkdtempSync(join(tmpdir(), 'pg-adv-policy-cap-'));
    cpSync(join(live.stateDir, 'cache'), join(fresh, 'cache'), { recursive: true });
    const config = configWith((c) => {
      if (c.policy?.lanes?.standard) c.policy.lanes.standard.maxValueAtRisk = '1000';
      const assets = c.risk?.assets ?? [];
      edit(assets);
      c.risk = { ...c.risk, assets };
    });
    const r = cliOn(live, fresh, [
      'propose',
      '--patch',
      'fix-flash-deposit',
      '--key-env',
      'DEPLOYER_KEY',
      '--config',
      config,
    ]);
    const left = okJson<unknown[]>(cliOn(live, fresh, ['status', '--format', 'json']));
    return { r, left };
  };

  it("a config's token decimals that shrink the value at risk under the cap", () => {
    // TestUSD has 6 decimals: 36 in the config would value the vault's 60 000 tokens at $0.00.
    const { r, left } = underCap((assets) => {
      const token = assets.find((a) => a.token === 'token');
      if (token) token.decimals = 36;
    });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('decimals 36 in the config, but the token');
    expect(r.stderr).toContain('says decimals() = 6');
    expect(left).toEqual([]);
  }, 240_000);

  it('a price of zero that makes the funds at risk worthless', () => {
    const { r, left } = underCap((assets) => {
      const token = assets.find((a) => a.token === 'token');
      if (token) token.price = '0';
    });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('risk.assets "token": price "0" is $0.00');
    expect(left).toEqual([]);
  }, 240_000);

  it('funds arriving after approval push a standard-lane patch over its cap', async () => {
    const config = configWith((c) => {
      if (c.policy?.lanes?.standard) c.policy.lanes.standard.maxValueAtRisk = '100000';
    });
    const proposed = okJson<{ digest: Hex }>(
      run(
        ['propose', '--patch', 'fix-flash-deposit', '--key-env', 'DEPLOYER_KEY', '--format', 'json'],
        config,
      ),
    );
    for (const key of ['OWNER1_KEY', 'OWNER2_KEY']) {
      expect(run(['approve', proposed.digest, '--key-env', key], config).code).toBe(0);
    }
    // $50 000 more lands in the vault: $110 000 at risk, over the standard lane's $100 000.
    const token = live.system.contracts.get('token')?.address as Address;
    const hash = await live.clients.wallet(localAccount(0)).writeContract({
      address: token,
      abi: parseAbi(['function mint(address to, uint256 amount)']),
      functionName: 'mint',
      args: [vault, 50_000_000_000n],
    });
    await live.clients.public.waitForTransactionReceipt({ hash });
    expect(
      await live.clients.public.readContract({
        address: token,
        abi: erc20Abi,
        functionName: 'balanceOf',
        args: [vault],
      }),
    ).toBe(110_000_000_000n);
    const before = await scheduled();
    const q = run(['queue', proposed.digest, '--key-env', 'DEPLOYER_KEY'], config);
    expect(q.code, q.stderr).toBe(1);
    expect(q.stderr).toContain('policy.lanes.standard.maxValueAtRisk');
    expect(q.stderr).toContain('$110000.00 is at risk');
    // Nothing lost, nothing sent: still approved with both approvals, no operation scheduled.
    expect(patches()).toMatchObject([{ digest: proposed.digest, state: 'approved', approvals: [{}, {}] }]);
    expect(await scheduled()).toHaveLength(before.length);
  }, 300_000);

  it('a pause by a key the policy does not name', async () => {
    const owner1 = localAccount(1).address;
    const config = configWith((c) => {
      if (c.policy) c.policy.pausers = [owner1];
    });
    const r = run(['pause', '--contract', 'vault', '--key-env', 'GUARDIAN_KEY'], config);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('policy.pausers');
    const w = run(['watch', '--key-env', 'GUARDIAN_KEY', '--until', '1'], config);
    expect(w.code, w.stderr).toBe(2);
    expect(w.stderr).toContain('policy.pausers');
    const paused = await live.clients.public.readContract({
      address: vault,
      abi: parseAbi(['function paused() view returns (bool)']),
      functionName: 'paused',
    });
    expect(paused).toBe(false);
  }, 120_000);
});
