import { toFunctionSelector } from 'viem';
import { beforeAll, describe, expect, it } from 'vitest';
import { changedSelectors } from '../src/analyze/function-diff.js';
import { findContract } from '../src/build/index.js';
import type { Project } from '../src/build/types.js';
import { loadExample } from './helpers/example.js';

let project: Project;
beforeAll(async () => {
  project = await loadExample();
});

const sel = (signature: string) => toFunctionSelector(signature).slice(2);
const diff = (candidate: string) =>
  changedSelectors(findContract(project, 'src/VaultV1.sol:VaultV1'), findContract(project, candidate));

describe('changedSelectors', () => {
  it('VaultV1 → VaultV2: the guarded entry points and the flash-loan cap are changed; untouched code is not', () => {
    const { changed, unchanged } = diff('src/VaultV2.sol:VaultV2');
    for (const fn of [
      'deposit(uint256,address)',
      'mint(uint256,address)',
      'withdraw(uint256,address,address)',
      'redeem(uint256,address,address)',
      'flashLoan(address,address,uint256,bytes)',
      'maxFlashLoan(address)',
      'maxFlashLoanBps()', // new in V2: on one side only
    ])
      expect(changed, fn).toContain(sel(fn));
    for (const fn of [
      'flashFee(address,uint256)', // same body, same callees
      'setFlashFee(uint256)', // external → public virtual: not a change in behaviour
      'sharePrice()', // moved to VaultV2Views, same code
      'transfer(address,uint256)',
      'totalAssets()',
      'flashFeeBps()', // a public getter of the same variable
    ])
      expect(unchanged, fn).toContain(sel(fn));
  });

  it('a change of state only (VaultV2FeeHike raises the fee in its initializer) leaves the fee functions unchanged', () => {
    const { unchanged } = diff('src/bad/VaultV2FeeHike.sol:VaultV2FeeHike');
    expect(unchanged).toContain(sel('flashFee(address,uint256)'));
  });

  it('a dropped access modifier changes the function (VaultV2AccessDropped.setFeeRecipient)', () => {
    const { changed } = diff('src/bad/VaultV2AccessDropped.sol:VaultV2AccessDropped');
    expect(changed).toContain(sel('setFeeRecipient(address)'));
  });
});
