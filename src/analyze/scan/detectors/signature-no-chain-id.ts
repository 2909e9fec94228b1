/**
 * `scan-signature-no-chain-id`: a digest this code builds (`keccak256(…)`) and has signed, that does not depend
 * on `block.chainid` — neither directly nor through an EIP-712 domain separator (OpenZeppelin's EIP712, or a
 * hand-built one that includes the chain id). The same signature is valid on every chain where the contract
 * exists at the same address: a testnet, an L2 deployment, a fork (ETHPoW after the Merge).
 */
import type { AnyNode } from '../../ast.js';
import type { ScanDetector, ScanHit } from '../detector.js';
import { dependencies, isMember, signatureSites } from './signature-sites.js';

export const signatureNoChainId: ScanDetector = {
  id: 'scan-signature-no-chain-id',
  confidence: 'high',
  run(ctx) {
    const hits: ScanHit[] = [];
    for (const site of signatureSites(ctx)) {
      if (!site.built || site.entries.length === 0) continue;
      const code = site.entries.flatMap((e) => e.code);
      const deps = dependencies(ctx.view, site.digest, site.within, code);
      if (deps.some((n) => isMember(n, 'block', 'chainid'))) continue;
      hits.push({
        node: site.call as AnyNode,
        within: site.within,
        message: `${site.within.name} checks a signature over a digest without block.chainid or an EIP-712 domain separator: a signature made for one chain is valid on every other chain (or fork) where this contract lives at the same address.`,
      });
    }
    return hits;
  },
};
