/**
 * `scan-signature-no-nonce`: a signature that authorizes a state change, over a digest this code builds
 * (`keccak256(…)`), with nothing that makes it single-use: no nonce in the digest that the function consumes
 * (OpenZeppelin `_useNonce`, `nonces[owner]++`, a nonce read from storage the function then writes), and no
 * record of use checked and written by the function (`require(!used[digest]); used[digest] = true`,
 * `claimed[msg.sender]` when the caller is signed, a per-feed timestamp that must increase). Anyone who saw the
 * signature once (in the mempool, on another call) submits it again. A digest handed in by the caller (ERC-1271
 * `isValidSignature(hash, sig)`) and functions that only read are not judged.
 */
import type { AnyNode } from '../../ast.js';
import type { ScanDetector, ScanHit } from '../detector.js';
import { replayProtected, signatureSites } from './signature-sites.js';

export const signatureNoNonce: ScanDetector = {
  id: 'scan-signature-no-nonce',
  confidence: 'medium',
  run(ctx) {
    const hits: ScanHit[] = [];
    for (const site of signatureSites(ctx)) {
      if (!site.built) continue;
      const open = site.entries.filter((e) => !replayProtected(ctx.view, site, e));
      if (open.length === 0) continue;
      hits.push({
        node: site.call as AnyNode,
        within: site.within,
        message: `${site.within.name} accepts a signature whose digest has no nonce and whose use is never recorded (${open.map((e) => e.fn.name).join(', ')}): the same signature can be submitted again, by anyone who has seen it.`,
      });
    }
    return hits;
  },
};
