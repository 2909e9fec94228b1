/**
 * `scan-signature-malleable`: raw `ecrecover` accepts both `(r, s, v)` and `(r, n - s, v')` for one message, so
 * anyone can turn a valid signature into a second valid one. That only matters when the signature itself is
 * the record of use — `used[keccak256(signature)] = true`, `executed[sig]` — then the flipped signature is
 * "new" and the action runs twice. Reported there, unless the code rejects high `s` values (`s <= n/2`, the
 * check OpenZeppelin's ECDSA does). Raw `ecrecover` whose replay protection is a nonce or the digest is not
 * reported: malleability does not let that signature run twice (precision over noise; see docs/scan.md).
 */
import type { AnyNode } from '../../ast.js';
import { walk } from '../../ast.js';
import { codeOf } from '../../callgraph.js';
import type { ScanDetector, ScanHit } from '../detector.js';
import {
  conditionsIn,
  dependencies,
  identity,
  signatureIdentities,
  signatureSites,
  storageWrites,
} from './signature-sites.js';

/** secp256k1n / 2: the largest `s` OpenZeppelin's ECDSA accepts. */
const HALF_ORDER = BigInt('0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0');

function isHalfOrder(n: AnyNode): boolean {
  if (n.nodeType !== 'Literal' || n.kind !== 'number') return false;
  try {
    return BigInt(String(n.value).replaceAll('_', '')) === HALF_ORDER;
  } catch {
    return false;
  }
}

export const signatureMalleable: ScanDetector = {
  id: 'scan-signature-malleable',
  confidence: 'high',
  run(ctx) {
    const { view } = ctx;
    const hits: ScanHit[] = [];
    for (const site of signatureSites(ctx)) {
      if (!site.raw) continue;
      for (const entry of site.entries) {
        let sChecked = false;
        for (const c of entry.code)
          for (const cond of conditionsIn(codeOf(c)))
            walk(cond, (n) => {
              if (isHalfOrder(n)) sChecked = true;
              return undefined;
            });
        if (sChecked) continue;
        const sig = signatureIdentities(view, site, entry);
        const keyed = storageWrites(view, entry.code).some((w) =>
          w.keys.some((k) =>
            dependencies(view, k, w.within, entry.code).some((n) => sig.has(identity(view, n) ?? '')),
          ),
        );
        if (!keyed) continue;
        hits.push({
          node: site.call,
          within: site.within,
          message: `${site.within.name} uses raw ecrecover without rejecting high s values, and ${entry.fn.name} records the signature itself as used: the same signer's signature with s flipped to n - s is a different, valid signature, so the action runs again.`,
        });
        break;
      }
    }
    return hits;
  },
};
