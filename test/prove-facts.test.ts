/**
 * What prove reads from the code for the fix's property: which lock deposit, mint and flashLoan run under. Only
 * OpenZeppelin's ReentrancyGuard counts — a do-nothing modifier named nonReentrant is no lock — and an open mint
 * leaves deposit's shares open too; either way the harness models the vault as open and the property is violated
 * (test/fixtures/prove/src/Locks.sol, compiled with solc-js; the solver runs on the generated harness).
 */
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { findContract, loadProject } from '../src/build/index.js';
import type { Project } from '../src/build/types.js';
import { depositHarness, HARNESS_CONTRACT, HARNESS_FILE, vaultFacts } from '../src/prove/harness.js';
import { proveTargets } from '../src/prove/prove.js';
import { TEST_STATE_DIR } from './helpers/example.js';

const DIR = fileURLToPath(new URL('./fixtures/prove/', import.meta.url));
let project: Project;
beforeAll(async () => {
  project = await loadProject({ dir: DIR, stateDir: TEST_STATE_DIR });
}, 240_000);

const facts = (name: string) => vaultFacts(findContract(project, `src/Locks.sol:${name}`));

async function proved(name: string): Promise<string> {
  const f = facts(name);
  if (!f) throw new Error(`${name} is not a flash-lending vault`);
  const [r] = await proveTargets({
    targets: [
      {
        name,
        sources: { [HARNESS_FILE]: { content: depositHarness(f) } },
        contracts: { [HARNESS_FILE]: [HARNESS_CONTRACT] },
      },
    ],
    timeoutMs: 120_000,
  });
  return r?.status ?? 'none';
}

describe("prove: the locks the fix's property reads", () => {
  it('a modifier the project wrote, named nonReentrant, is no lock: the property is violated', async () => {
    expect(facts('FakeLockVault')).toMatchObject({ depositLocked: false, flashLoanLocked: false });
    expect(await proved('FakeLockVault')).toBe('violated');
  }, 240_000);

  it("an open mint leaves deposit's shares open: violated, and the harness says why", async () => {
    const f = facts('OpenMintVault');
    expect(f).toMatchObject({ depositLocked: false, flashLoanLocked: true, openMintIn: 'OpenMintVault' });
    expect(depositHarness(f as NonNullable<typeof f>)).toContain(
      'OpenMintVault.mint mints shares without the lock',
    );
    expect(await proved('OpenMintVault')).toBe('violated');
  }, 240_000);

  it("OpenZeppelin's lock on deposit, mint and flashLoan: proved", async () => {
    expect(facts('LockedVault')).toMatchObject({ depositLocked: true, flashLoanLocked: true });
    expect(await proved('LockedVault')).toBe('proved');
  }, 240_000);
});
