/**
 * Anchoring a signed tree head on chain: `PatchGate.anchor(size, root)` from the anchorer's account. The call is
 * simulated first, so a refusal (a size not above the last anchored one, another sender) comes back as the
 * contract's own decoded error, before any gas is spent.
 */
import type { Abi, Account, Address, Hex } from 'viem';
import type { Clients } from '../chain/clients.js';
import { environmentError, PatchgateError } from '../core/errors.js';
import { describeRevert, revertData } from '../core/revert.js';
import { PATCHGATE_ABI } from '../govern/patchgate-abi.js';

export interface AnchorHeadParameters {
  /** The log size the head commits to (must exceed the last anchored size). */
  size: number | bigint;
  /** The head's RFC 9162 Merkle root. */
  root: Hex;
}

export interface AnchorResult {
  txHash: Hex;
  gasUsed: bigint;
  blockNumber: bigint;
}

/**
 * Anchors a log head (size and root) in the PatchGate contract, sent by its anchorer; a size not past the last
 * anchored one is refused.
 *
 * @example
 * ```ts
 * const ledger = await openLedger(lc.store.db, { origin: LOG_ORIGIN });
 * const { size, root } = await ledger.head();
 * const { txHash } = await anchorHead(lc.clients, gate, loadAccount({ keyEnv: 'LOG_KEY' }), { size, root });
 * ```
 */
export async function anchorHead(
  clients: Clients,
  gate: Address,
  account: Account,
  params: AnchorHeadParameters,
): Promise<AnchorResult> {
  const args = [BigInt(params.size), params.root] as const;
  try {
    await clients.public.simulateContract({
      account,
      address: gate,
      abi: PATCHGATE_ABI,
      functionName: 'anchor',
      args,
    });
  } catch (e) {
    const data = revertData(e);
    if (!data) {
      throw environmentError(
        'anchor-failed',
        `could not simulate anchoring head ${args[0]} on PatchGate ${gate}`,
        'check the RPC endpoint and the PatchGate address',
        e,
      );
    }
    throw new PatchgateError(
      `PatchGate ${gate} refused head ${args[0]} from ${account.address}: ${describeRevert(data, PATCHGATE_ABI as Abi)}`,
      {
        code: 'anchor-refused',
        hint: 'anchor from the PatchGate anchorer, with a log size larger than the last anchored one',
        cause: e,
      },
    );
  }
  const txHash = await clients.wallet(account).writeContract({
    address: gate,
    abi: PATCHGATE_ABI,
    functionName: 'anchor',
    args,
  });
  const receipt = await clients.public.waitForTransactionReceipt({ hash: txHash });
  if (receipt.status !== 'success') {
    throw environmentError(
      'anchor-reverted',
      `anchoring head ${args[0]} on PatchGate ${gate} reverted (tx ${txHash})`,
    );
  }
  return { txHash, gasUsed: receipt.gasUsed, blockNumber: receipt.blockNumber };
}
