/**
 * Functions judged by what they do (test/fixtures/effects, real solc-js compile of V1/V2 pairs on
 * OpenZeppelin upgradeable contracts): `state-uninitialized` follows reads and writes of new state from the
 * candidate's entry points; `access-control-*` flag only functions that have an effect.
 */
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { type CheckReport, runCheck } from '../src/analyze/run-check.js';
import { loadProject } from '../src/build/index.js';
import type { Project } from '../src/build/types.js';
import type { Finding } from '../src/core/finding.js';
import { TEST_STATE_DIR } from './helpers/example.js';

const DIR = fileURLToPath(new URL('./fixtures/effects/', import.meta.url));
let project: Project;
let limit: CheckReport;
let state: CheckReport;
let effects: CheckReport;

const check = (reference: string, candidate: string) =>
  runCheck({ projectDir: DIR, stateDir: TEST_STATE_DIR, project, reference, candidate, cache: false });
const named = (r: CheckReport, id: string) => r.findings.filter((f) => f.id === id);
const fns = (fs: Finding[]) => fs.map((f) => f.location?.function).sort();
const byKey = (fs: Finding[]) => new Map(fs.map((f) => [f.key, f]));

beforeAll(async () => {
  project = await loadProject({ dir: DIR, stateDir: TEST_STATE_DIR });
  limit = await check('LimitV1', 'LimitV2');
  state = await check('StateV1', 'StateV2');
  effects = await check('EffectsV1', 'EffectsV2');
});

describe('state-uninitialized, judged by what reads and writes the new state', () => {
  it('reports an appended variable with an owner-only setter as info, and lets the patch pass', () => {
    expect(named(limit, 'state-uninitialized')).toEqual([
      expect.objectContaining({ key: 'limit', severity: 'info', blocking: false, status: 'introduced' }),
    ]);
    const message = named(limit, 'state-uninitialized')[0]?.message;
    expect(message).toMatch(/read by withdraw, set only by setLimit \(onlyOwner\); until then it holds 0/);
    expect(limit.verdict).toBe('pass');
  });

  it('still blocks new state that is read and set by nothing the live proxy can run', () => {
    const blocking = named(state, 'state-uninitialized').filter((f) => f.blocking);
    // threshold: no writer at all; setOnlyInInit: only `initializer`; deadWrite: only dead internal code;
    // hidden: only an sstore to a computed slot; initOnly: only behind onlyInitializing; viaPointer: read
    // only by an internal function called through a pointer (not dead code).
    expect(blocking.map((f) => f.key).sort()).toEqual(
      ['deadWrite', 'hidden', 'initOnly', 'setOnlyInInit', 'threshold', 'viaPointer'].sort(),
    );
    for (const f of blocking) {
      expect(f).toMatchObject({ severity: 'high', status: 'introduced' });
      expect(f.message).toMatch(/but no reinitializer run by the upgrade \(initializeV2@2\)/);
      expect(f.message).toMatch(f.key === 'viaPointer' ? /read by _readViaPointer/ : /read by execute/);
    }
    expect(state.verdict).toBe('fail');
  });

  it('says nothing of state read only by dead internal code, or set by the reinitializer the upgrade runs', () => {
    const keys = named(state, 'state-uninitialized').map((f) => f.key);
    expect(keys).not.toContain('deadRead');
    expect(keys).not.toContain('setByReinit');
  });

  it('counts writes through a storage pointer, a storage parameter, a returned pointer, a tuple, ++, delete and sstore(x.slot) by guarded setters', () => {
    const info = byKey(named(state, 'state-uninitialized').filter((f) => !f.blocking));
    for (const [key, setter] of [
      ['config', 'setWindow'],
      ['fees', 'setFeeCap'],
      ['lo', 'setRange'],
      ['hi', 'setRange'],
      ['nonce', 'bump'],
      ['slotSet', 'setSlot'],
      ['cleared', 'clear'],
      ['limits', 'setLimitsCap'],
    ]) {
      expect(info.get(key), key).toMatchObject({ severity: 'info', blocking: false });
      expect(info.get(key)?.message, key).toMatch(new RegExp(`set only by ${setter} \\(onlyOwner\\)`));
    }
  });

  it('reports state set by an unguarded function as info that says anyone can set it', () => {
    const tip = byKey(named(state, 'state-uninitialized')).get('tip');
    expect(tip).toMatchObject({ severity: 'info', blocking: false });
    expect(tip?.message).toMatch(/set by setTip; setTip has no access guard, so anyone can set it/);
    expect(fns(named(state, 'access-control-missing'))).toEqual(['execute', 'setTip']);
  });
});

describe('access control, judged by effect', () => {
  it('flags a new unguarded function for each kind of effect, saying what it does', () => {
    const missing = named(effects, 'access-control-missing');
    const says = new Map(missing.map((f) => [f.location?.function, f.message]));
    expect([...says.keys()].sort()).toEqual(
      [
        'bumpViaHelper',
        'consumeViaModifier',
        'destroy',
        'forward',
        'hooked',
        'payByCall',
        'payOut',
        'pokeOther',
        'rawStore',
        'spawn',
        'writeBox',
      ].sort(),
    );
    expect(says.get('bumpViaHelper')).toMatch(/writes counter \(in _bump\)/);
    expect(says.get('writeBox')).toMatch(/writes Box\.a/);
    expect(says.get('payOut')).toMatch(/sends value/);
    expect(says.get('payByCall')).toMatch(/sends value with a low-level call/);
    expect(says.get('pokeOther')).toMatch(/calls an external contract \(IPoke\.poke\)/);
    expect(says.get('forward')).toMatch(/delegatecalls an address/);
    expect(says.get('destroy')).toMatch(/selfdestructs/);
    expect(says.get('rawStore')).toMatch(/writes storage in assembly/);
    expect(says.get('spawn')).toMatch(/creates a contract \(Child\)/);
    expect(says.get('hooked')).toMatch(/writes counter \(in _onPoke\)/);
    expect(says.get('consumeViaModifier')).toMatch(/writes counter \(in _consume\)/);
    expect(says.get('hooked')).toMatch(/writes counter \(in _onPoke\)/);
    expect(says.get('consumeViaModifier')).toMatch(/writes counter \(in _consume\)/);
    for (const f of missing)
      expect(f).toMatchObject({ severity: 'high', blocking: true, status: 'introduced' });
  });

  it('does not flag functions that do nothing worth a guard: empty, read-only, emit-only, payable-only, view calls, staticcall, a reentrancy lock, an overridden hook', () => {
    const flagged = fns([
      ...named(effects, 'access-control-missing'),
      ...named(effects, 'access-control-removed'),
    ]);
    const quiet = [
      'noop',
      'peek',
      'ping',
      'donate',
      'lookAt',
      'staticLook',
      'lockedNoop',
      'receive',
      'touched',
    ];
    for (const name of quiet) {
      expect(flagged, name).not.toContain(name);
    }
  });

  it('flags a lost guard only when the function still acts (directly or through a helper)', () => {
    const removed = named(effects, 'access-control-removed');
    expect(fns(removed)).toEqual(['adminPay', 'setSink']);
    expect(removed.find((f) => f.location?.function === 'adminPay')?.message).toMatch(
      /sends value \(in _pay\), and lost its access guard \(onlyOwner in EffectsV1\)/,
    );
    expect(removed.find((f) => f.location?.function === 'setSink')?.message).toMatch(/writes sink/);
    for (const f of removed) expect(f).toMatchObject({ severity: 'critical', blocking: true });
  });
});
