/**
 * `patchgate assess` on the example deployed on a real anvil: the value at risk read from the chain and priced
 * (the config's table, or an on-chain oracle), the PoC's profit and cost measured by simulate, the Immunefi
 * class, priority, lane advice and each lane's exposure; the assessment signed with the proposal and shown by
 * `status`.
 */

import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Address, getAddress, type Hex, parseAbi } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectSources, compileStandardJson, sourcesInput } from '../src/build/index.js';
import { localAccount } from '../src/chain/clients.js';
import type { RiskConfig } from '../src/config/schema.js';
import type { AssessReport } from '../src/lifecycle/assess.js';
import { type ChainReader, priceAssets } from '../src/risk/prices.js';
import { cliOn, type LiveExample, okJson, startLiveExample } from './helpers/live.js';

let live: LiveExample;
let state: string;
const FEED_ABI = parseAbi([
  'constructor(uint8 decimals_, int256 answer_)',
  'function set(int256 answer_, uint256 updatedAt_)',
]);

async function deployFeed(decimals: number, answer: bigint): Promise<Address> {
  const dir = fileURLToPath(new URL('./fixtures/risk/', import.meta.url));
  const { sources, remappings } = collectSources(dir, [join(dir, 'PriceFeed.sol')]);
  const { output } = await compileStandardJson(sourcesInput(sources, remappings));
  const bytecode = output.contracts['PriceFeed.sol']?.PriceFeed?.evm.bytecode.object;
  if (!bytecode) throw new Error('PriceFeed did not compile');
  const hash = await live.clients.wallet(localAccount(0)).deployContract({
    abi: FEED_ABI,
    bytecode: `0x${bytecode}`,
    args: [decimals, answer],
  });
  const { contractAddress } = await live.clients.public.waitForTransactionReceipt({ hash });
  return getAddress(contractAddress as Address);
}

async function readerNow(): Promise<ChainReader> {
  const block = await live.clients.public.getBlock({ blockTag: 'latest' });
  return {
    client: live.clients.public,
    block: block.number,
    now: block.timestamp,
    resolve: (name) => live.system.contracts.get(name)?.address,
  };
}

const risk = (assets: RiskConfig['assets']): RiskConfig => ({
  assets,
  holders: {},
  approvalTime: { standard: 86_400, emergency: 3600 },
  maxPriceAge: 3600,
});

beforeAll(async () => {
  live = await startLiveExample();
  state = mkdtempSync(join(tmpdir(), 'pg-risk-state-'));
  cpSync(join(live.stateDir, 'cache'), join(state, 'cache'), { recursive: true });
}, 240_000);

afterAll(async () => {
  await live?.anvil.stop();
});

describe('assess', () => {
  let assessed: AssessReport;

  it('measures the value at risk, the exploit and its cost, and recommends the emergency lane for a critical bug', () => {
    assessed = okJson<AssessReport>(cliOn(live, state, ['assess', 'fix-flash-deposit', '--format', 'json']));
    const vault = live.system.contracts.get('vault')?.address;
    // The depositors' 40 000 + 20 000 tUSD, priced at $1 by the example's table.
    expect(assessed.valueAtRisk).toMatchObject({
      usd: '60000.00',
      holdings: [
        { holder: vault, holderName: 'vault', asset: 'token', balance: '60000000000', usd: '60000.00' },
      ],
    });
    // The PoC on the live version (simulate, on a fork): it takes everything and the fee it was funded with.
    expect(BigInt(assessed.exploit?.profit ?? 0)).toBeGreaterThan(59_000_000_000n);
    expect(assessed.attackerCost).toMatchObject({ capital: { token: 'token', amount: '50', usd: '50.00' } });
    expect(BigInt(assessed.attackerCost?.gasUsed ?? 0)).toBeGreaterThan(21_000n);
    expect(Number(assessed.netGainUsd)).toBeGreaterThan(59_000);
    expect(assessed.severity.level).toBe('critical');
    expect(assessed.severity.basis.some((b) => b.startsWith('PoC flash-deposit took'))).toBe(true);
    expect(assessed).toMatchObject({
      public: false,
      priority: 'P1',
      lane: { recommended: 'emergency', conflicts: [] },
    });
    // Discovery → execution: the assumed approval time plus the lane's delay (2 d standard, 1 h emergency).
    expect(assessed.exposure.standard).toMatchObject({
      windowSeconds: String(86_400 + 172_800),
      approvalBasis: 'assumed',
      exposureUsdHours: '4320000.00',
      allowed: true,
    });
    expect(assessed.exposure.emergency).toMatchObject({
      windowSeconds: String(3600 + 3600),
      exposureUsdHours: '120000.00',
      allowed: true,
    });
  }, 240_000);

  it('a public bug is P0', () => {
    const r = okJson<AssessReport>(
      cliOn(live, state, ['assess', 'fix-flash-deposit', '--public', '--format', 'json']),
    );
    expect(r).toMatchObject({ public: true, priority: 'P0', lane: { recommended: 'emergency' } });
  }, 240_000);

  it('prices from a Chainlink-style oracle read at the same block, and refuses a stale or non-positive one (exit 3)', async () => {
    const token = live.system.contracts.get('token')?.address as Address;
    const feed = await deployFeed(8, 99_950_000n); // $0.9995
    const [priced] = await priceAssets(await readerNow(), risk([{ token: 'token', oracle: feed }]));
    expect(priced).toMatchObject({
      address: token,
      decimals: 6,
      priceMicro: 999_500n,
      source: 'oracle',
      oracle: feed,
    });
    const now = (await live.clients.public.getBlock()).timestamp;
    await live.clients.wallet(localAccount(0)).writeContract({
      address: feed,
      abi: FEED_ABI,
      functionName: 'set',
      args: [100_000_000n, now - 7200n],
    });
    const stale = await priceAssets(await readerNow(), risk([{ token: 'token', oracle: feed }])).catch(
      (e) => e,
    );
    expect(stale).toMatchObject({ code: 'price-unavailable', exitCode: 3 });
    expect(stale.shortMessage).toMatch(/last updated \d+ s ago/);
    await live.clients.wallet(localAccount(0)).writeContract({
      address: feed,
      abi: FEED_ABI,
      functionName: 'set',
      args: [0n, now],
    });
    const zero = await priceAssets(await readerNow(), risk([{ token: 'token', oracle: feed }])).catch(
      (e) => e,
    );
    expect(zero).toMatchObject({ code: 'price-unavailable' });
    // Not an aggregator at all: the vault answers neither call.
    const vault = live.system.contracts.get('vault')?.address as Address;
    const wrong = await priceAssets(await readerNow(), risk([{ token: 'token', oracle: vault }])).catch(
      (e) => e,
    );
    expect(wrong).toMatchObject({ code: 'price-unavailable', exitCode: 3 });
  }, 120_000);

  it('propose signs the assessment as evidence; status shows it', () => {
    const proposed = okJson<{
      digest: Hex;
      record: { evidence: Record<string, Hex> };
      assessment: AssessReport;
    }>(
      cliOn(live, state, [
        'propose',
        '--patch',
        'fix-flash-deposit',
        '--key-env',
        'DEPLOYER_KEY',
        '--format',
        'json',
      ]),
    );
    expect(Object.keys(proposed.record.evidence).sort()).toEqual(['assess', 'check', 'simulate']);
    expect(proposed.assessment).toMatchObject({
      severity: { level: 'critical' },
      valueAtRisk: { usd: '60000.00' },
    });
    const status = okJson<{ risk: unknown }>(
      cliOn(live, state, ['status', proposed.digest, '--format', 'json']),
    );
    expect(status.risk).toMatchObject({
      severity: 'critical',
      priority: 'P1',
      recommendedLane: 'emergency',
      valueAtRiskUsd: '60000.00',
      exposure: { standard: { windowSeconds: '259200', exposureUsdHours: '4320000.00', allowed: true } },
    });
    const text = cliOn(live, state, ['status', proposed.digest]).stdout;
    expect(text).toContain(
      'risk            critical (Direct theft of any user funds); P1, recommended lane emergency; $60000.00 at risk',
    );
    // assess of the digest reads the signed evidence, not a new run.
    const again = okJson<AssessReport>(cliOn(live, state, ['assess', proposed.digest, '--format', 'json']));
    expect(again.evidenceFrom).toEqual({ proposal: proposed.digest });
    expect(again.severity.level).toBe('critical');
  }, 240_000);
});
