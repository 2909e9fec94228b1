/**
 * The fix's property for an ERC-4626 vault that lends its assets as flash loans (examples/vault): no deposit can
 * mint shares worth more than it paid. Stated so the CHC engine decides it in seconds, as two assertions of one
 * generated harness (docs/prove.md gives the algebra that joins them):
 *
 *  A. `deposit-prices-all-assets` (stateful, linear): every deposit is priced on all the assets the vault owns —
 *     none is out on a flash loan while deposit runs. The harness models the vault's balance, the amount lent and
 *     the candidate's reentrancy lock: whether `deposit` and `flashLoan` both carry `nonReentrant` is read from the
 *     candidate's AST (the one fact taken from the code; the lock's semantics are OpenZeppelin's ReentrancyGuard).
 *     The borrower's callback is arbitrary code: it may call deposit unless the lock stops it.
 *  B. `conversion-rounds-down` (pure): OpenZeppelin's ERC4626 conversion, shares = assets·(supply + 1) / (total + 1)
 *     rounded down (decimals offset 0), never gives shares·(total + 1) > assets·(supply + 1).
 *
 * A ∧ B ⇒ worth(shares) = shares·(total + assets + 1)/(supply + shares + 1) ≤ assets once every loan is repaid.
 */
import type { ContractDefinition, FunctionDefinition, SourceUnit } from 'solidity-ast';
import type { ContractHandle } from '../build/types.js';

export const HARNESS_FILE = 'patchgate/prove/DepositHarness.sol';
export const HARNESS_CONTRACT = 'DepositHarness';

/** The harness's parameter names, for counterexamples. */
export const HARNESS_PARAMS: Record<string, readonly string[]> = {
  constructor: ['balance'],
  flashLoan: ['amount'],
  deposit: ['assets'],
  conversionRoundsDown: ['assets', 'supply', 'total'],
};

export interface VaultFacts {
  /** The contract whose `deposit` was read: `VaultV2Core`. */
  depositIn: string;
  flashLoanIn: string;
  /** deposit — and mint, when the vault has one — run under OpenZeppelin's lock. */
  depositLocked: boolean;
  flashLoanLocked: boolean;
  /** Where an unlocked mint(uint256,address) is, when deposit is locked and mint is not. */
  openMintIn?: string;
}

/** Every contract definition of the handle's compilation, by AST id, and the handle's own. */
export function contractDefinitions(handle: ContractHandle): {
  byId: Map<number, ContractDefinition>;
  self: ContractDefinition | undefined;
  /** Each modifier definition's id → the contract and the source file that declare it. */
  modifiers: Map<number, { contract: string; file: string }>;
} {
  const byId = new Map<number, ContractDefinition>();
  const modifiers = new Map<number, { contract: string; file: string }>();
  let self: ContractDefinition | undefined;
  for (const [file, source] of Object.entries(handle.unit.output.sources ?? {})) {
    for (const node of (source.ast as SourceUnit).nodes) {
      if (node.nodeType !== 'ContractDefinition') continue;
      byId.set(node.id, node);
      for (const member of node.nodes) {
        if (member.nodeType === 'ModifierDefinition') modifiers.set(member.id, { contract: node.name, file });
      }
      if (file === handle.sourceName && node.name === handle.name) self = node;
    }
  }
  return { byId, self, modifiers };
}

/**
 * OpenZeppelin's reentrancy locks, by the contract that declares `nonReentrant` and the package it comes from: only
 * these are taken as the lock the harness models. A modifier the project wrote itself, even one named
 * `nonReentrant`, is not (it may do nothing): the function is then modelled as open — a false alarm at worst.
 */
const OZ_LOCKS = new Set([
  'ReentrancyGuard',
  'ReentrancyGuardTransient',
  'ReentrancyGuardUpgradeable',
  'ReentrancyGuardTransientUpgradeable',
]);
const isOzSource = (file: string) =>
  /^(?:.*\/)?@openzeppelin\/contracts(?:-upgradeable)?\/utils\/ReentrancyGuard(?:Transient)?(?:Upgradeable)?\.sol$/.test(
    file,
  );

/**
 * Whether the candidate is such a vault, and what its code says about the lock: `undefined` when it has no
 * `deposit(uint256,address)` or no `flashLoan` (the property does not apply).
 */
export function vaultFacts(handle: ContractHandle): VaultFacts | undefined {
  const { byId, self, modifiers } = contractDefinitions(handle);
  if (!self) return undefined;
  const ozLock = (id: number | null | undefined) => {
    const at = id === null || id === undefined ? undefined : modifiers.get(id);
    return at !== undefined && OZ_LOCKS.has(at.contract) && isOzSource(at.file);
  };
  const find = (name: string, params: number) => {
    for (const id of self.linearizedBaseContracts) {
      const c = byId.get(id);
      const fn = c?.nodes.find(
        (n): n is FunctionDefinition =>
          n.nodeType === 'FunctionDefinition' &&
          n.name === name &&
          n.parameters.parameters.length === params &&
          n.implemented,
      );
      if (c && fn)
        return {
          in: c.name,
          locked: fn.modifiers.some(
            (m) => m.modifierName.name === 'nonReentrant' && ozLock(m.modifierName.referencedDeclaration),
          ),
        };
    }
    return undefined;
  };
  const deposit = find('deposit', 2);
  const flashLoan = find('flashLoan', 4);
  if (!deposit || !flashLoan) return undefined;
  // ERC-4626's mint(shares, receiver) mints shares priced like deposit: an open mint is an open deposit.
  const mint = find('mint', 2);
  return {
    depositIn: deposit.in,
    flashLoanIn: flashLoan.in,
    depositLocked: deposit.locked && (mint?.locked ?? true),
    flashLoanLocked: flashLoan.locked,
    ...(mint && !mint.locked ? { openMintIn: mint.in } : {}),
  };
}

/** The harness's source for these facts (generated: the same text for the same facts). */
export function depositHarness(facts: VaultFacts): string {
  const lock = facts.depositLocked && facts.flashLoanLocked;
  return `// SPDX-License-Identifier: MIT
// Generated by patchgate prove from ${facts.depositIn}.deposit and ${facts.flashLoanIn}.flashLoan (docs/prove.md).${facts.openMintIn ? `\n// ${facts.openMintIn}.mint mints shares without the lock: deposit is modelled as open.` : ''}
pragma solidity ^0.8.24;

contract ${HARNESS_CONTRACT} {
    uint256 held; // the vault's asset balance: what totalAssets() reads
    uint256 lent; // assets out on the flash loan in progress
    bool locked; // the reentrancy lock ${lock ? 'both functions take (nonReentrant)' : '(not taken by both deposit and flashLoan)'}

    /// Any starting balance: the proof holds from every state, not only from a fresh vault.
    constructor(uint256 balance) {
        held = balance;
    }

    /// flashLoan up to its callback: the assets leave, the borrower's code runs next.
    function flashLoan(uint256 amount) external {
        require(lent == 0 && amount <= held);${lock ? '\n        locked = true;' : ''}
        held -= amount;
        lent = amount;
    }

    /// The end of flashLoan: repaid, the lock released.
    function repay() external {
        require(lent > 0);
        held += lent;
        lent = 0;${lock ? '\n        locked = false;' : ''}
    }

    /// deposit(assets, receiver), possibly from inside the borrower's callback.
    function deposit(uint256 assets) external {${lock ? '\n        require(!locked);' : ''}
        assert(held == held + lent); // A: priced on every asset the vault owns
        held += assets;
    }

    /// B: ERC4626's conversion rounds down (Math.mulDiv floor, decimals offset 0).
    function conversionRoundsDown(uint256 assets, uint256 supply, uint256 total) external pure {
        uint256 owed = assets * (supply + 1);
        uint256 shares = owed / (total + 1);
        assert(shares * (total + 1) <= owed);
    }
}
`;
}
