/** A realistic patch record for digest, approval and store tests (hand-made parts, not a live chain). */
import { keccak256, toHex } from 'viem';
import type { PatchRecord } from './digest.js';
import type { PatchPlan } from './plan.js';

export const SAMPLE_RECORD: PatchRecord = {
  chainId: 31337,
  proxy: '0x0165878A594ca255338adfa4d48449f69242Eb8F',
  target: '0xa16E02E87b7454126E5E10d957A927A7F5B5d2be',
  implementation: '0xB7f8BC63BbcaD18155201308C8f3540b07f84F5e',
  codehash: keccak256(toHex('runtime bytecode')),
  calldata: '0x9623609d',
  lane: 'standard',
  evidence: { check: keccak256(toHex('check report')), simulate: keccak256(toHex('simulate report')) },
};

export const SAMPLE_PLAN: PatchPlan = {
  name: 'fix-flash-deposit',
  contract: 'vault',
  candidate: 'src/VaultV2.sol:VaultV2',
  safe: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
  timelock: '0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9',
  predecessor: `0x${'00'.repeat(32)}`,
  salt: `0x${'00'.repeat(32)}`,
  delay: '172800',
};
