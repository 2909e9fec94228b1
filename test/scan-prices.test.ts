/**
 * The "prices, tokens and arithmetic" detectors beyond their labels (test/scan-corpus.test.ts holds every
 * contract to its `id@function` labels): the severity each hit takes, and what its message names.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { contractView } from '../src/analyze/ast.js';
import { scanContract, scanDiff } from '../src/analyze/scan/run.js';
import { findContract, loadProject } from '../src/build/index.js';
import type { Project } from '../src/build/types.js';
import { TEST_STATE_DIR } from './helpers/example.js';
import { SCAN_CORPUS } from './helpers/scan-corpus.js';

let project: Project;
const scan = (fqn: string, id: string) =>
  scanContract(contractView(findContract(project, fqn))).filter((f) => f.id === id);

beforeAll(async () => {
  project = await loadProject({ dir: SCAN_CORPUS, stateDir: TEST_STATE_DIR });
}, 240_000);

describe('prices, tokens and arithmetic detectors', () => {
  it('reports an ignored transferFrom as high and an ignored approve as medium', () => {
    const hits = scan('src/unchecked-erc20/ZapRouter.sol:ZapRouter', 'scan-unchecked-erc20');
    expect(hits.map((f) => [f.severity, f.blocking, f.swc, f.cwe])).toEqual([
      ['high', true, 'SWC-104', 'CWE-252'],
      ['medium', false, 'SWC-104', 'CWE-252'],
    ]);
    expect(hits[0]?.message).toMatch(/ignores the bool returned by IERC20\.transferFrom/);
  });

  it('puts a spot price read in a view helper on the call in the state-changing function', () => {
    const [hit] = scan('src/spot-price/LpCollateralBank.sol:LpCollateralBank', 'scan-spot-price');
    expect(hit?.location).toMatchObject({ function: 'borrow', line: 39 });
    expect(hit?.message).toMatch(/_price\(\), which prices from a pool's current reserves/);
  });

  it('rates a hand-rolled share price high and OpenZeppelin ERC4626 without an offset low', () => {
    expect(scan('src/erc4626-inflation/EmptyMarket.sol:EmptyMarket', 'scan-erc4626-inflation')).toMatchObject(
      [
        { severity: 'high', blocking: true },
        { severity: 'high', blocking: true },
      ],
    );
    const [oz] = scan(
      'src/erc4626-inflation/OzDefaultVault.sol:OzUpgradeableVault',
      'scan-erc4626-inflation',
    );
    expect(oz).toMatchObject({ severity: 'low', blocking: false, location: { function: 'initialize' } });
    expect(oz?.message).toMatch(/griefing, not theft/);
  });

  it('raises a downcast of caller input to high and keeps one of computed state at medium', () => {
    expect(scan('src/unsafe-downcast/PackedVault.sol:PackedVault', 'scan-unsafe-downcast')).toMatchObject([
      { severity: 'high', message: expect.stringMatching(/uint256 to uint96 .* the caller chooses it/) },
    ]);
    expect(
      scan('src/unsafe-downcast/RewardAccumulator.sol:RewardAccumulator', 'scan-unsafe-downcast'),
    ).toMatchObject([{ severity: 'medium', blocking: false }]);
  });

  it('names the open slippage parameters, struct members included, and the deadline', () => {
    const slippage = scan('src/slippage/LiquidityMigrator.sol:LiquidityMigrator', 'scan-missing-slippage');
    expect(slippage.map((f) => f.message.split(':')[0])).toEqual([
      'migrate calls removeLiquidity with amountAMin = 0, amountBMin = 0',
      'migrate calls addLiquidity with amountAMin = 0, amountBMin = 0',
      'buyBack calls exactOutputSingle with amountInMaximum = type(uint256).max',
    ]);
    const deadline = scan('src/slippage/V3Zap.sol:V3Zap', 'scan-missing-deadline');
    expect(deadline).toMatchObject([{ severity: 'low', blocking: false }]);
    expect(deadline[0]?.message).toMatch(/deadline type\(uint256\)\.max/);
  });

  it('judges a fix that only partly fixes: what stays is unchanged, what went is fixed', () => {
    const view = (fqn: string) => contractView(findContract(project, fqn));
    const diff = scanDiff(
      view('src/unchecked-erc20/ForceVault.sol:ForceVault'),
      view('src/unchecked-erc20/ForceVault.sol:ForceVaultFixed'),
    );
    expect(diff.map((f) => [f.id, f.status]).sort()).toEqual([
      ['scan-erc4626-inflation', 'fixed'],
      ['scan-unchecked-erc20', 'fixed'],
      ['scan-unchecked-erc20', 'fixed'],
    ]);
  });
});
