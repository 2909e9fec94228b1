import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Hex, keccak256, toHex, zeroAddress } from 'viem';
import { describe, expect, it } from 'vitest';
import { localAccount } from '../chain/clients.js';
import type { PatchgateError } from '../core/errors.js';
import {
  APPROVAL_CLOCK_SKEW,
  type Approval,
  signApproval,
  tallyApprovals,
  verifyApproval,
} from './approval.js';
import { type PatchRecord, patchDigest } from './digest.js';
import { SAMPLE_RECORD } from './sample-record.fixture.js';

const record: PatchRecord = SAMPLE_RECORD;
const digest = patchDigest(record);
const approvers = [localAccount(1), localAccount(2), localAccount(3)];
const policy = { approvers: approvers.map((a) => a.address), threshold: 2 };
const expected = { digest, chainId: record.chainId, proxy: record.proxy, now: 1_000n, ttl: 1_000n };
const base = { digest, chainId: record.chainId, proxy: record.proxy, nonce: 0n, expiry: 2_000n };

async function refusal(a: Approval): Promise<PatchgateError> {
  try {
    await verifyApproval(a, expected, policy);
  } catch (e) {
    return e as PatchgateError;
  }
  throw new Error('expected a refusal');
}

describe('patch digest', () => {
  it('is deterministic and independent of evidence key order', () => {
    const reordered = {
      ...record,
      evidence: { simulate: record.evidence.simulate as Hex, check: record.evidence.check as Hex },
    };
    expect(patchDigest(reordered)).toBe(digest);
    expect(digest).toMatch(/^0x[0-9a-f]{64}$/);
  });

  it('changes with every part: chain, proxy, target, implementation, codehash, calldata, lane, evidence', () => {
    const variants: PatchRecord[] = [
      { ...record, chainId: 1 },
      { ...record, proxy: zeroAddress },
      { ...record, target: zeroAddress },
      { ...record, implementation: zeroAddress },
      { ...record, codehash: keccak256(toHex('other')) },
      { ...record, calldata: '0x9623609e' },
      { ...record, lane: 'emergency' },
      { ...record, evidence: { ...record.evidence, check: keccak256(toHex('edited report')) } },
      { ...record, evidence: { check: record.evidence.check as Hex } },
    ];
    const digests = new Set(variants.map(patchDigest));
    expect(digests.size).toBe(variants.length);
    expect(digests.has(digest)).toBe(false);
  });
});

describe('EIP-712 approvals', () => {
  it('reaches the 2-of-3 threshold with two distinct approvers', async () => {
    const a1 = await signApproval(approvers[0] as never, base);
    const a2 = await signApproval(approvers[2] as never, base);
    const tally = await tallyApprovals([a1, a2], expected, policy);
    expect(tally).toMatchObject({
      met: true,
      refused: [],
      signers: [approvers[0]?.address, approvers[2]?.address],
    });
  });

  it('does not count the same signer twice', async () => {
    const a1 = await signApproval(approvers[0] as never, base);
    const again = await signApproval(approvers[0] as never, { ...base, nonce: 1n });
    const tally = await tallyApprovals([a1, again], expected, policy);
    expect(tally.met).toBe(false);
    expect(tally.refused.map((r) => r.error.code)).toEqual(['approval-duplicate']);
  });

  it('refuses an approval for another chain, another proxy or another digest', async () => {
    expect((await refusal(await signApproval(approvers[0] as never, { ...base, chainId: 1 }))).code).toBe(
      'approval-wrong-chain',
    );
    expect(
      (await refusal(await signApproval(approvers[0] as never, { ...base, proxy: zeroAddress }))).code,
    ).toBe('approval-wrong-proxy');
    const other = patchDigest({ ...record, calldata: '0x00' });
    const e = await refusal(await signApproval(approvers[0] as never, { ...base, digest: other }));
    expect(e.code).toBe('approval-wrong-digest');
    expect(e.exitCode).toBe(2);
  });

  it('binds the signature to chain and proxy: a signature re-labelled for this chain recovers to a stranger', async () => {
    const forged = {
      ...(await signApproval(approvers[0] as never, { ...base, chainId: 1 })),
      chainId: record.chainId,
    };
    expect((await refusal(forged)).code).toBe('approval-unknown-signer');
  });

  it('refuses a signer outside the approver set, an expired approval and a malleable (high-s) signature', async () => {
    expect((await refusal(await signApproval(localAccount(7) as never, base))).code).toBe(
      'approval-unknown-signer',
    );
    expect((await refusal(await signApproval(approvers[0] as never, { ...base, expiry: 1_000n }))).code).toBe(
      'approval-expired',
    );
    const ok = await signApproval(approvers[1] as never, base);
    const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
    const s = BigInt(`0x${ok.signature.slice(66, 130)}`);
    const v = Number.parseInt(ok.signature.slice(130, 132), 16);
    const twin =
      `${ok.signature.slice(0, 66)}${(N - s).toString(16).padStart(64, '0')}${(v === 27 ? 28 : 27).toString(16)}` as Hex;
    expect(await verifyApproval(ok, expected, policy)).toBe(approvers[1]?.address);
    expect((await refusal({ ...ok, signature: twin })).code).toBe('approval-malleable');
  });
});

describe('approval expiry bound by policy.approvalTtl', () => {
  it('accepts an expiry up to now + ttl + the clock skew, refuses one a second later (exit 2, naming both)', async () => {
    const last = expected.now + expected.ttl + APPROVAL_CLOCK_SKEW;
    const ok = await signApproval(approvers[0] as never, { ...base, expiry: last });
    expect(await verifyApproval(ok, expected, policy)).toBe(approvers[0]?.address);
    const e = await refusal(await signApproval(approvers[0] as never, { ...base, expiry: last + 1n }));
    expect([e.code, e.exitCode]).toEqual(['approval-expiry-too-far', 2]);
    expect(e.shortMessage).toContain(`${last + 1n}`);
    expect(e.shortMessage).toContain(`at most ${last}`);
  });

  it('refuses an expiry of 2^256 − 1 and counts it for nothing in a tally', async () => {
    const forever = await signApproval(approvers[0] as never, { ...base, expiry: 2n ** 256n - 1n });
    expect((await refusal(forever)).code).toBe('approval-expiry-too-far');
    const tally = await tallyApprovals([forever], expected, policy);
    expect(tally.signers).toEqual([]);
    expect(tally.refused.map((r) => r.error.code)).toEqual(['approval-expiry-too-far']);
  });

  it('refuses a stored value no signer could have signed (nonce beyond uint256, non-hex signature) without throwing', async () => {
    const ok = await signApproval(approvers[0] as never, base);
    const tally = await tallyApprovals(
      [
        { ...ok, nonce: 2n ** 256n },
        { ...ok, signature: '0xzz' as Hex },
      ],
      expected,
      policy,
    );
    expect(tally.refused.map((r) => r.error.code)).toEqual(['approval-bad-field', 'approval-bad-signature']);
  });
});

describe('docs/digest.md', () => {
  it('recomputes the same digest with the recipe it documents (its code block, run as written)', async () => {
    const doc = readFileSync(new URL('../../docs/digest.md', import.meta.url), 'utf8');
    const block = /```ts\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(block).toContain('function patchDigest');
    const { default: ts } = await import('typescript');
    const js = ts.transpileModule(`${block}\nexport { patchDigest };\n`, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    }).outputText;
    const dir = mkdtempSync(join(tmpdir(), 'pg-digest-doc-'));
    const file = join(dir, 'recipe.mjs');
    // Resolve `viem` from this repository, as a reader's project would from its own node_modules.
    writeFileSync(file, js.replace("from 'viem'", `from '${import.meta.resolve('viem')}'`));
    const { patchDigest: documented } = (await import(pathToFileURL(file).href)) as {
      patchDigest: (r: PatchRecord) => Hex;
    };
    expect(documented(record)).toBe(digest);
    expect(documented({ ...record, lane: 'emergency' })).toBe(patchDigest({ ...record, lane: 'emergency' }));
  });
});
