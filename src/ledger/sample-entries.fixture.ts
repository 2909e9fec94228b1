/**
 * Realistic log entries for tests: each patch goes proposed → evidence (check, simulate) → two approvals →
 * queued → executed → verified, with an alert now and then. Deterministic: entry i is always the same.
 */
import { keccak_256 } from '@noble/hashes/sha3';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils';
import type { EntryInput } from './entry.js';

const h32 = (s: string) => `0x${bytesToHex(keccak_256(utf8ToBytes(s)))}` as const;
const addr = (s: string) => `0x${h32(s).slice(26)}` as const;
const START = Date.UTC(2026, 10, 2, 9, 0, 0);

const STEPS = 9;

export function sampleEntry(i: number): EntryInput {
  const patch = Math.floor(i / STEPS);
  const digest = h32(`patch ${patch}`);
  const at = new Date(START + i * 60_000);
  switch (i % STEPS) {
    case 0:
      return {
        kind: 'patch-proposed',
        digest,
        at,
        chainId: 1,
        proxy: addr(`proxy ${patch}`),
        target: addr(`proxy-admin ${patch}`),
        implementation: addr(`impl ${patch}`),
        codehash: h32(`code ${patch}`),
        calldata: `0x9623609d${h32(`call ${patch}`).slice(2)}`,
        lane: patch % 3 === 0 ? 'emergency' : 'standard',
      };
    case 1:
      return { kind: 'evidence', digest, at, stage: 'check', hash: h32(`check ${patch}`), verdict: 'pass' };
    case 2:
      return { kind: 'evidence', digest, at, stage: 'simulate', hash: h32(`sim ${patch}`), verdict: 'pass' };
    case 3:
    case 4:
      return {
        kind: 'approval',
        digest,
        at,
        signer: addr(`signer ${i % STEPS}`),
        signature: `0x${h32(`sig ${i}`).slice(2)}${h32(`sig2 ${i}`).slice(2)}1b`,
        nonce: BigInt(patch),
        expiry: 18_446_744_073_709_551_615n,
      };
    case 5:
      return {
        kind: 'queued',
        digest,
        at,
        operationId: h32(`op ${patch}`),
        txHash: h32(`q ${patch}`),
        eta: 1_793_000_000n + BigInt(patch),
      };
    case 6:
      return {
        kind: 'executed',
        digest,
        at,
        txHash: h32(`x ${patch}`),
        blockNumber: 21_000_000n + BigInt(i),
      };
    case 7:
      return {
        kind: 'verified',
        digest,
        at,
        implementation: addr(`impl ${patch}`),
        codehash: h32(`code ${patch}`),
        blockNumber: 21_000_001n + BigInt(i),
      };
    default:
      return {
        kind: 'alert',
        digest,
        at,
        rule: 'unexpected-upgrade',
        severity: 'high',
        message: `Upgraded(${addr(`other ${patch}`)}) on proxy ${patch} outside the log`,
        blockNumber: 21_000_002n + BigInt(i),
      };
  }
}

export function sampleEntries(count: number, from = 0): EntryInput[] {
  return Array.from({ length: count }, (_, k) => sampleEntry(from + k));
}
