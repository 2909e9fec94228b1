/** Signed tree heads: the exact text signed, EIP-191 signatures any viem user can check, and refusals. */
import { type Hex, recoverMessageAddress, verifyMessage } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { describe, expect, it } from 'vitest';
import { errorOf } from '../core/errors.fixture.js';
import { toHex } from './hash.js';
import { checkpointText, type Head, parseHead, signHead, treeHead, verifyHead } from './head.js';
import { memoryTree } from './memory.js';
import { ROOTS } from './vectors.fixture.js';

// anvil's well-known first and second keys: local test keys, never used on a live network.
const KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';
const OTHER = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b69078d';
const SIGNER = privateKeyToAccount(KEY).address;
const ROOT8 = `0x${ROOTS[7]}` as Hex;
const head = { origin: 'example.com/patchgate', size: 8, root: ROOT8, timestamp: '2026-11-02T10:00:00.000Z' };

describe('signed tree heads', () => {
  it('signs the C2SP checkpoint body with the timestamp as its one extension line', () => {
    expect(checkpointText(head)).toBe(
      'example.com/patchgate\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n2026-11-02T10:00:00.000Z\n',
    );
  });

  it('produces an EIP-191 signature that plain viem verifies against the signer address', async () => {
    const signed = await signHead(head, privateKeyToAccount(KEY));
    expect(signed.signer).toBe(SIGNER);
    expect(signed.signed).toBe(true);
    expect(
      await verifyMessage({ address: SIGNER, message: checkpointText(head), signature: signed.signature }),
    ).toBe(true);
    expect(await recoverMessageAddress({ message: checkpointText(head), signature: signed.signature })).toBe(
      SIGNER,
    );
    expect(await verifyHead(signed)).toEqual({ ok: true, recovered: SIGNER });
    expect((await verifyHead(signed, SIGNER)).ok).toBe(true);
  });

  it('never puts the private key in the head', async () => {
    const signed = await signHead(head, privateKeyToAccount(KEY));
    expect(JSON.stringify(signed)).not.toContain(KEY.slice(2));
  });

  it('fails a head whose size, root, origin or time changed after signing', async () => {
    const signed = await signHead(head, privateKeyToAccount(KEY));
    const changed: Head[] = [
      { ...signed, size: 7 },
      { ...signed, root: `0x${ROOTS[6]}` as Hex },
      { ...signed, origin: 'example.com/other' },
      { ...signed, timestamp: '2026-11-02T10:00:00.001Z' },
    ];
    for (const h of changed) {
      const check = await verifyHead(h);
      expect(check.ok).toBe(false);
      expect(check.problem).toMatch(/signed by 0x[0-9a-fA-F]{40}, not by/);
    }
  });

  it('fails a head signed by another key, even one that names that key as signer, when the signer is pinned', async () => {
    const forged = await signHead(head, privateKeyToAccount(OTHER));
    expect((await verifyHead(forged)).ok).toBe(true);
    const pinned = await verifyHead(forged, SIGNER);
    expect(pinned.ok).toBe(false);
    expect(pinned.problem).toContain(SIGNER);
  });

  it('refuses the high-s twin of a valid signature, a v of 0/1 and a short signature, all of which viem recovers or mis-sizes', async () => {
    const signed = await signHead(head, privateKeyToAccount(KEY));
    const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
    const r = signed.signature.slice(2, 66);
    const s = BigInt(`0x${signed.signature.slice(66, 130)}`);
    const v = Number.parseInt(signed.signature.slice(130), 16);
    const twin = `0x${r}${(N - s).toString(16).padStart(64, '0')}${(v === 27 ? 28 : 27).toString(16)}` as Hex;
    // The twin is a valid ECDSA signature of the same text by the same key: viem recovers the signer from it.
    expect(await recoverMessageAddress({ message: checkpointText(head), signature: twin })).toBe(SIGNER);
    const high = await verifyHead({ ...signed, signature: twin }, SIGNER);
    expect(high).toEqual({ ok: false, problem: expect.stringMatching(/high s value/) });
    const v01 = `${signed.signature.slice(0, 130)}${v === 27 ? '00' : '01'}` as Hex;
    expect(await recoverMessageAddress({ message: checkpointText(head), signature: v01 })).toBe(SIGNER);
    expect((await verifyHead({ ...signed, signature: v01 }, SIGNER)).problem).toMatch(
      /v is [01], not 27 or 28/,
    );
    expect(
      (await verifyHead({ ...signed, signature: signed.signature.slice(0, 130) as Hex })).problem,
    ).toMatch(/64 bytes, not 65/);
    const zero = `0x${'00'.repeat(32)}${signed.signature.slice(66)}` as Hex;
    expect((await verifyHead({ ...signed, signature: zero })).problem).toMatch(/out of range/);
  });

  it('reports an unsigned head as unsigned, never as verified', async () => {
    expect(await verifyHead({ ...head, signed: false })).toEqual({
      ok: false,
      problem: 'the head is not signed',
    });
  });

  it('checks the frontier it carries against the root', async () => {
    const tree = memoryTree();
    for (let i = 0; i < 13; i++) tree.append(new Uint8Array([i]));
    const base = { ...head, size: 13, root: toHex(tree.root()) };
    const frontier = tree.frontier().nodes.map(toHex);
    const signed = await signHead(base, privateKeyToAccount(KEY), frontier);
    expect(signed.frontier).toHaveLength(3);
    expect((await verifyHead(signed)).ok).toBe(true);
    const swapped = { ...signed, frontier: [frontier[1], frontier[0], frontier[2]] as Hex[] };
    expect((await verifyHead(swapped)).problem).toMatch(/does not fold to its root/);
    expect((await verifyHead({ ...signed, frontier: frontier.slice(1) })).problem).toMatch(
      /does not have 3 hashes/,
    );
  });

  it('signs the docs/log.md example exactly as documented (RFC 6979 signatures are deterministic)', async () => {
    const doc = {
      origin: 'example.com/patchgate',
      size: 3,
      root: '0x47614048938afec240881d765513c6f91d7b091f0dbb7b05cd6d72312f05b14d' as Hex,
      timestamp: '2026-11-02T10:00:00.000Z',
    };
    const text =
      'example.com/patchgate\n3\nR2FASJOK/sJAiB12VRPG+R17CR8Nu3sFzW1yMS8FsU0=\n2026-11-02T10:00:00.000Z\n';
    const signature =
      '0x7f5d4dc7123ebd96c917922b825f4b6863dc9d5fb109d09ddddc4089f5476591667c0e9994e50613dba82b6e52be2fab6b7eaddfeebbba3eed5d9dda8271491b1c';
    expect(checkpointText(doc)).toBe(text);
    expect((await signHead(doc, privateKeyToAccount(KEY))).signature).toBe(signature);
    expect(await verifyMessage({ address: SIGNER, message: text, signature })).toBe(true);
  });

  it('reads a head back from JSON and refuses one of the wrong shape', async () => {
    const signed = await signHead(head, privateKeyToAccount(KEY));
    expect(parseHead(JSON.parse(JSON.stringify(signed)), 'head.json')).toEqual(signed);
    const e = await errorOf(() => parseHead({ ...signed, size: -1 }, 'head.json'));
    expect(e.code).toBe('bad-log-head');
    expect(e.shortMessage).toMatch(/^head\.json .*size/);
    expect((await errorOf(() => parseHead({ ...signed, extra: 1 }, 'h'))).code).toBe('bad-log-head');
    expect((await errorOf(() => treeHead('has space', 0, new Uint8Array(32), new Date()))).code).toBe(
      'bad-log-origin',
    );
  });
});
