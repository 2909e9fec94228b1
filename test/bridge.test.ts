/**
 * The upgrades-core bridge on purpose-built pairs (test/fixtures/bridge, compiled with solc-js): each false
 * alarm that is gone next to the true catch beside it that must stay. Opcodes versus
 * `@custom:oz-upgrades-unsafe-allow`, struct getters that return more words, plain storage contracts,
 * storage conflicts upgrades-core throws on (and one it does not see), initializer order.
 */
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCheck } from '../src/analyze/run-check.js';
import { StorageConflictError } from '../src/analyze/upgrades.js';
import { loadProject } from '../src/build/index.js';
import type { Project } from '../src/build/types.js';
import { isPatchgateError } from '../src/core/errors.js';
import type { Finding } from '../src/core/finding.js';
import { runCli } from './helpers/cli.js';
import { TEST_STATE_DIR } from './helpers/example.js';

const DIR = fileURLToPath(new URL('./fixtures/bridge/', import.meta.url));
let project: Project;

const check = (reference: string, candidate: string) =>
  runCheck({ projectDir: DIR, stateDir: TEST_STATE_DIR, project, reference, candidate, cache: false });
/** `patchgate check` on the fixture project, as a user runs it. */
const checkCli = (reference: string, candidate: string, ...more: string[]) =>
  runCli([
    'check',
    '--project',
    DIR,
    '--state-dir',
    TEST_STATE_DIR,
    '--reference',
    reference,
    '--candidate',
    candidate,
    ...more,
  ]);
const ids = (fs: Finding[]) => [...new Set(fs.map((f) => f.id))].sort();
/** The findings that make the gate say no. */
const blocking = (fs: Finding[]) => fs.filter((f) => f.blocking && !f.acknowledged && f.status !== 'fixed');
const opcodes = (fs: Finding[]) => fs.filter((f) => f.id.startsWith('bytecode-'));

beforeAll(async () => {
  project = await loadProject({ dir: DIR, stateDir: TEST_STATE_DIR });
});

describe('bytecode opcodes and @custom:oz-upgrades-unsafe-allow (class 3)', () => {
  it("acknowledges UUPS's own DELEGATECALL through OpenZeppelin's -allow-reachable on upgradeToAndCall", async () => {
    const r = await check('OpsV1', 'OpsKill');
    const uups = opcodes(r.findings).find(
      (f) => f.key === 'DELEGATECALL:LowLevelCall.delegatecallNoReturn:allowed',
    );
    expect(uups).toMatchObject({
      acknowledged: true,
      blocking: false,
      severity: 'info',
      status: 'unchanged',
    });
    expect(uups?.acknowledgedReason).toMatch(
      /@custom:oz-upgrades-unsafe-allow-reachable delegatecall at @openzeppelin\/contracts\/proxy\/utils\/UUPSUpgradeable\.sol:\d+/,
    );
  });

  it('passes new delegatecalls allowed at function level, through -allow-reachable, on a statement and on an assembly block', async () => {
    const r = await check('OpsV1', 'OpsAnnotated');
    expect(r.verdict).toBe('pass');
    expect(blocking(r.findings)).toEqual([]);
    const introduced = opcodes(r.findings).filter((f) => f.status === 'introduced');
    const reasons = Object.fromEntries(introduced.map((f) => [f.key, f.acknowledgedReason]));
    expect(reasons).toEqual({
      'DELEGATECALL:exec:allowed': expect.stringMatching(/unsafe-allow delegatecall at src\/Ops\.sol:\d+$/),
      'DELEGATECALL:Exec.run:allowed': expect.stringMatching(
        /unsafe-allow-reachable delegatecall at src\/Ops\.sol:\d+$/,
      ),
      'DELEGATECALL:execStmt:allowed': expect.stringMatching(
        /unsafe-allow delegatecall at src\/Ops\.sol:\d+$/,
      ),
      'DELEGATECALL:execAsm:allowed': expect.stringMatching(
        /unsafe-allow delegatecall at src\/Ops\.sol:\d+$/,
      ),
    });
    for (const f of introduced) expect(f).toMatchObject({ acknowledged: true, blocking: false });
    expect(introduced.find((f) => f.key === 'DELEGATECALL:Exec.run:allowed')?.location).toMatchObject({
      file: 'src/Ops.sol',
      contract: 'Exec',
      function: 'run',
    });
    expect(r.findings.some((f) => f.id === 'upgrade-unsafe-delegatecall')).toBe(false);
  });

  it('passes a selfdestruct allowed at contract level, as upgrades-core does', async () => {
    const r = await check('OpsV1', 'OpsKill');
    expect(r.verdict).toBe('pass');
    expect(opcodes(r.findings).find((f) => f.id === 'bytecode-selfdestruct')).toMatchObject({
      status: 'introduced',
      acknowledged: true,
      acknowledgedReason: expect.stringMatching(/unsafe-allow selfdestruct at src\/Ops\.sol:\d+/),
    });
  });

  it('still blocks new unannotated delegatecalls in a UUPS contract, the assembly one upgrades-core misses included', async () => {
    const r = await check('OpsV1', 'OpsUnannotated');
    expect(r.verdict).toBe('fail');
    const blocked = blocking(r.findings).filter((f) => f.id === 'bytecode-delegatecall');
    expect(blocked.map((f) => f.key).sort()).toEqual(['DELEGATECALL:Exec.runBare', 'DELEGATECALL:execAsm']);
    for (const f of blocked) expect(f).toMatchObject({ severity: 'high', status: 'introduced' });
    expect(blocked.every((f) => !f.acknowledged)).toBe(true);
    expect(ids(blocking(r.findings))).toContain('upgrade-unsafe-delegatecall');
  });

  it('blocks a helper reached through an annotated and an unannotated function', async () => {
    const r = await check('OpsV1', 'OpsMixed');
    expect(r.verdict).toBe('fail');
    expect(blocking(r.findings).find((f) => f.id === 'bytecode-delegatecall')).toMatchObject({
      key: 'DELEGATECALL:Exec.runBare',
      status: 'introduced',
    });
  });
});

describe('public getters that return more values (class 4)', () => {
  it('reports a struct that gained a trailing member as low and passes', async () => {
    const r = await check('BookV1', 'BookV2Appended');
    expect(r.verdict).toBe('pass');
    expect(r.findings.filter((f) => f.id === 'function-changed')).toEqual([]);
    expect(r.findings.find((f) => f.id === 'function-returns-extended')).toMatchObject({
      severity: 'low',
      blocking: false,
      location: expect.objectContaining({ function: 'entries' }),
      message: expect.stringMatching(/\(uint256,address\) → \(uint256,address,bool\)/),
    });
  });

  it('keeps a member inserted in the middle high and blocking', async () => {
    const r = await check('BookV1', 'BookV2Inserted');
    expect(r.verdict).toBe('fail');
    expect(r.findings.find((f) => f.id === 'function-changed')).toMatchObject({
      severity: 'high',
      blocking: true,
      message: expect.stringMatching(/\(uint256,address\) → \(uint256,bool,address\)/),
    });
    expect(r.findings.some((f) => f.id === 'function-returns-extended')).toBe(false);
  });

  it('keeps a value appended after a dynamic output high (the offsets old decoders follow move)', async () => {
    const r = await check('BookV1', 'BookV2AfterDynamic');
    expect(r.verdict).toBe('fail');
    expect(r.findings.find((f) => f.id === 'function-changed')).toMatchObject({
      severity: 'high',
      message: expect.stringMatching(/labelOf\(uint256\).*\(uint256,string\) → \(uint256,string,bool\)/),
    });
  });
});

describe('plain storage contracts (class 5)', () => {
  it('checks a contract without Initializable and lists that it has no initializer', async () => {
    const r = await check('PlainV1', 'PlainV2');
    expect(r.verdict).toBe('pass');
    expect(r.findings.find((f) => f.id === 'no-initializer')).toMatchObject({
      severity: 'info',
      blocking: false,
      location: expect.objectContaining({ contract: 'PlainV2' }),
    });
  });

  it('still catches a storage reorder in a plain contract', async () => {
    const r = await check('PlainV1', 'PlainV2Reordered');
    expect(r.verdict).toBe('fail');
    expect(ids(blocking(r.findings))).toEqual(['storage-layout-incompatible']);
  });

  it.each([
    ['IPlain', /is an interface/],
    ['PlainLib', /is a library/],
    ['PlainAbstract', /is abstract/],
  ])('still refuses %s with not-upgradeable (exit 2)', async (candidate, message) => {
    const error = await check('PlainV1', candidate).catch((e: unknown) => e);
    expect(isPatchgateError(error) && [error.code, error.exitCode]).toEqual(['not-upgradeable', 2]);
    expect((error as Error).message).toMatch(message);
  });
});

describe('storage conflicts (class 6)', () => {
  it('reports a namespace defined twice as namespace-conflict naming both structs', async () => {
    const r = await check('NsV1', 'NsConflictV2');
    expect(r.verdict).toBe('fail');
    const f = r.findings.find((x) => x.id === 'namespace-conflict');
    expect(f).toMatchObject({ severity: 'critical', blocking: true, status: 'introduced' });
    expect(f?.message).toContain('src/NsConflict.sol:8');
    expect(f?.message).toContain('src/NsConflict.sol:15');
    expect(f?.message).toMatch(/upgrades-core refuses to lay out NsConflictV2/);
  });

  it("reports upgrades-core's refusal for a conflict in another contract of the validated file", async () => {
    const r = await check('NsV1', 'NsNeighbourV2');
    expect(r.verdict).toBe('fail');
    expect(r.findings.find((x) => x.id === 'namespace-conflict')).toMatchObject({
      blocking: true,
      location: { file: 'src/NsConflict.sol', line: 15, contract: 'NsConflictV2' },
      message: expect.stringMatching(/src\/NsConflict\.sol:15, src\/NsConflict\.sol:8/),
    });
  });

  it('marks a conflict the patch removes as fixed, yet blocks while the live version cannot be laid out', async () => {
    const r = await check('NsConflictV2', 'NsV1');
    const conflicts = r.findings.filter((f) => f.id === 'namespace-conflict');
    expect(conflicts.map((f) => f.status).sort()).toEqual(['fixed', 'introduced']);
    expect(conflicts.find((f) => f.status === 'introduced')?.message).toMatch(
      /refuses to lay out NsConflictV2/,
    );
    expect(r.verdict).toBe('fail');
  });

  it('reports a `layout at` base equal to a namespace slot as layout-clash naming both', async () => {
    const r = await check('NsV1', 'LayoutClashV2');
    const f = r.findings.find((x) => x.id === 'layout-clash');
    expect(f).toMatchObject({
      severity: 'critical',
      blocking: true,
      location: { file: 'src/LayoutClash.sol', line: 7 },
    });
    expect(f?.message).toMatch(/`layout at`, src\/LayoutClash\.sol:7\).*src\/LayoutClash\.sol:9/);
  });

  it('catches an appended variable landing on a namespace, which upgrades-core does not see', async () => {
    const r = await check('LayoutOverlapV1', 'LayoutOverlapV2');
    expect(r.verdict).toBe('fail');
    expect(ids(blocking(r.findings))).toEqual(['layout-clash']);
    expect(r.findings.find((f) => f.id === 'layout-clash')?.message).toMatch(/`limit`.*erc7201:bridge\.near/);
  });

  it('passes a `layout at` base far from every namespace', async () => {
    const r = await check('NsV1', 'LayoutApartV2');
    expect(r.verdict).toBe('pass');
    expect(r.findings.filter((f) => f.id === 'layout-clash' || f.id === 'namespace-conflict')).toEqual([]);
  });

  it('blocks an accessor whose slot constant is not the annotated namespace slot (here OwnableStorage: total over _owner)', async () => {
    const r = await check('NsSlotV1', 'NsSlotV2');
    expect(r.verdict).toBe('fail');
    const f = r.findings.filter((x) => x.id === 'namespace-slot-mismatch');
    expect(f).toEqual([
      expect.objectContaining({ status: 'introduced', blocking: true, severity: 'critical' }),
    ]);
    expect(f[0]?.message).toMatch(
      /erc7201:bridge\.slot .*_slot points it at 0x9016d09d.*openzeppelin\.storage\.Ownable/,
    );
    // The live version's accessor agrees with its annotation, and so do OpenZeppelin's own: nothing else is flagged.
    expect(r.findings.filter((x) => x.id === 'namespace-slot-mismatch' && x.status !== 'introduced')).toEqual(
      [],
    );
  });

  it('follows the slot through a local, and blocks a slot it cannot read (fail closed)', async () => {
    const local = await check('NsSlotV1', 'NsSlotLocalV2');
    expect(local.findings.filter((x) => x.id === 'namespace-slot-mismatch')).toEqual([
      expect.objectContaining({
        status: 'introduced',
        blocking: true,
        message: expect.stringMatching(/_slot points it at 0x9016d09d/),
      }),
    ]);
    const formula = await check('NsSlotV1', 'NsSlotFormulaV2');
    expect(formula.verdict).toBe('pass');
    expect(formula.findings.filter((x) => x.id.startsWith('namespace-slot'))).toEqual([]);
    const computed = await check('NsSlotV1', 'NsSlotComputedV2');
    expect(computed.verdict).toBe('fail');
    expect(computed.findings.filter((x) => x.id === 'namespace-slot-unverified')).toEqual([
      expect.objectContaining({ status: 'introduced', blocking: true, severity: 'high' }),
    ]);
  });

  it('leaves any other upgrades-core error an error (fail closed), never a finding or a pass', async () => {
    const error = await check('NsV1', 'LayoutExprV2').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(StorageConflictError);
    // Not a finding, not a pass, and not "a bug in patchgate": exit 3 saying what could not be checked.
    expect(isPatchgateError(error) && [error.code, error.exitCode]).toEqual(['storage-unsupported', 3]);
    expect((error as Error).message).toMatch(
      /cannot evaluate the `layout at` base in src\/LayoutExpr\.sol:7 \(a BinaryOperation\)/,
    );
  });

  it('refuses a namespace struct declared outside a contract as bad input naming it, not an internal error', () => {
    const r = checkCli('NsOutsideV1', 'NsOutsideV2');
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe(
      'patchgate: src/NsOutside.sol:7: the ERC-7201 namespace struct OutsideStorage is declared outside a contract',
    );
  });

  it('refuses an unsafe-allow annotation with an unknown check as bad input naming where it is written', () => {
    const r = checkCli('BadAnnotationV1', 'BadAnnotationV2', '--format', 'json');
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe(
      'patchgate: @custom:oz-upgrades-unsafe-allow delegatecal in src/BadAnnotation.sol:14: "delegatecal" is not a check upgrades-core can allow',
    );
    expect(JSON.parse(r.stdout).error).toMatchObject({
      code: 'bad-annotation',
      hint: expect.stringMatching(/delegatecall/),
    });
  });

  it('exits 1 from the CLI with both locations, not 3 with an internal error', () => {
    const r = checkCli('NsV1', 'NsConflictV2', '--format', 'json');
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.verdict).toBe('fail');
    const f = report.findings.find((x: Finding) => x.id === 'namespace-conflict');
    expect(f.message).toMatch(/src\/NsConflict\.sol:8\b/);
    expect(f.message).toMatch(/src\/NsConflict\.sol:15\b/);
  });
});

describe('initializer order (class 7)', () => {
  it('reports parent initializers out of linearization order as medium, not blocking', async () => {
    const r = await check('OrderV1', 'OrderV2');
    expect(r.verdict).toBe('pass');
    expect(r.findings.find((f) => f.id === 'upgrade-unsafe-incorrect-initializer-order')).toMatchObject({
      severity: 'medium',
      blocking: false,
      status: 'introduced',
      location: expect.objectContaining({ file: 'src/InitOrder.sol', function: 'initialize' }),
    });
  });

  it('does not report the live version, which calls them in order', async () => {
    const r = await check('OrderV2', 'OrderV1');
    expect(r.findings.find((f) => f.id === 'upgrade-unsafe-incorrect-initializer-order')).toMatchObject({
      status: 'fixed',
    });
  });
});
