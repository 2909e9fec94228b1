/**
 * Attacks on `check --reference-address`: code on chain that is not what the build says must never become a
 * reference that passes. The matcher runs on the example's real solc-js output and on code made from it the way
 * an attacker would (one byte changed, code appended, a library linked twice to different addresses).
 */
import type { Address, Hex } from 'viem';
import { beforeAll, describe, expect, it } from 'vitest';
import { compiled, findContract } from '../../src/build/index.js';
import type { Project } from '../../src/build/types.js';
import { matchRuntime } from '../../src/chain/bytecode.js';
import { type LiveImplementation, matchLiveCode } from '../../src/chain/reference.js';
import { isPatchgateError } from '../../src/core/errors.js';
import { loadExample } from '../helpers/example.js';

let project: Project;
const ADDRESS = '0x00000000000000000000000000000000000000aa' as Address;

beforeAll(async () => {
  project = await loadExample();
});

const runtimeOf = (name: string) => compiled(findContract(project, name)).evm.deployedBytecode.object;
const live = (code: string): LiveImplementation => ({
  address: ADDRESS,
  kind: 'implementation',
  implementation: ADDRESS,
  code: `0x${code}` as Hex,
});

/** The error matchLiveCode throws, or a failure when it returns (which would be a silent pass). */
function refusal(code: string) {
  try {
    const m = matchLiveCode([project], live(code));
    throw new Error(`matched ${m.handle.fullyQualifiedName}`);
  } catch (e) {
    if (!isPatchgateError(e)) throw e;
    return e;
  }
}

describe('check --reference-address: code that matches nothing never passes', () => {
  it('code one byte away from a build is refused with exit 1, naming that build and the byte', () => {
    const code = runtimeOf('VaultV1');
    const at = 300;
    const flipped = ((Number.parseInt(code.slice(2 * at, 2 * at + 2), 16) ^ 0xff) >>> 0)
      .toString(16)
      .padStart(2, '0');
    const e = refusal(`${code.slice(0, 2 * at)}${flipped}${code.slice(2 * at + 2)}`);
    expect(e.code).toBe('reference-code-mismatch');
    expect(e.exitCode).toBe(1);
    expect(e.shortMessage).toMatch(/closest is src\/VaultV1\.sol:VaultV1 .*first difference at byte 300\)/);
  });

  it('a build with code appended (a backdoor after the known code) is not a match', () => {
    const code = runtimeOf('VaultV1');
    expect(refusal(`${code}5b600160005500`).code).toBe('reference-code-mismatch');
  });

  it('a build cut short (the known code truncated) is not a match', () => {
    const code = runtimeOf('VaultV1');
    expect(refusal(code.slice(0, code.length / 2)).code).toBe('reference-code-mismatch');
  });

  it('a library referenced twice must be linked to one address: two different addresses are not a match', () => {
    // A contract object with two references to one library: the chain's code holds two different addresses.
    const object = `6000${'__$0123456789abcdef0123456789abcdef01$__'}6000${'__$0123456789abcdef0123456789abcdef01$__'}00`;
    const refs = {
      'src/L.sol': {
        L: [
          { start: 2, length: 20 },
          { start: 24, length: 20 },
        ],
      },
    };
    const same = `6000${'11'.repeat(20)}6000${'11'.repeat(20)}00`;
    const split = `6000${'11'.repeat(20)}6000${'22'.repeat(20)}00`;
    expect(matchRuntime(`0x${same}`, { object, linkReferences: refs }).match).toBe(true);
    expect(matchRuntime(`0x${split}`, { object, linkReferences: refs }).match).toBe(false);
  });
});
