/**
 * Every scan detector, one file each in detectors/. Keep the groups: each is added to by its own line range, so
 * that detectors written side by side merge without touching each other's lines.
 */
import type { ScanDetector } from './detector.js';
import { arbitraryCall } from './detectors/arbitrary-call.js';
import { arbitraryDelegatecall } from './detectors/arbitrary-delegatecall.js';
import { divideBeforeMultiply } from './detectors/divide-before-multiply.js';
import { ecrecoverZero } from './detectors/ecrecover-zero.js';
import { erc4626Inflation } from './detectors/erc4626-inflation.js';
import { missingDeadline } from './detectors/missing-deadline.js';
import { missingSlippage } from './detectors/missing-slippage.js';
import { msgValueLoop } from './detectors/msg-value-loop.js';
import { reentrancy } from './detectors/reentrancy.js';
import { reentrancyCrossFunction } from './detectors/reentrancy-cross-function.js';
import { reentrancyReadOnly } from './detectors/reentrancy-read-only.js';
import { signatureMalleable } from './detectors/signature-malleable.js';
import { signatureNoChainId } from './detectors/signature-no-chain-id.js';
import { signatureNoNonce } from './detectors/signature-no-nonce.js';
import { spotPrice } from './detectors/spot-price.js';
import { timestampRandomness } from './detectors/timestamp-randomness.js';
import { txOrigin } from './detectors/tx-origin.js';
import { unboundedLoop } from './detectors/unbounded-loop.js';
import { uncheckedCall } from './detectors/unchecked-call.js';
import { uncheckedErc20 } from './detectors/unchecked-erc20.js';
import { unprotectedFunction } from './detectors/unprotected-function.js';
import { unsafeDowncast } from './detectors/unsafe-downcast.js';

// group: calls and reentrancy
const CALLS: ScanDetector[] = [reentrancy, reentrancyCrossFunction, uncheckedCall];

// group: access and authorization
const ACCESS: ScanDetector[] = [txOrigin, unprotectedFunction];

// group: prices, tokens and arithmetic
const PRICES: ScanDetector[] = [
  uncheckedErc20,
  spotPrice,
  erc4626Inflation,
  divideBeforeMultiply,
  unsafeDowncast,
  missingSlippage,
  missingDeadline,
];

// group: signatures, loops and randomness
const SIGNATURES_LOOPS_RANDOMNESS: ScanDetector[] = [
  signatureNoNonce,
  signatureNoChainId,
  ecrecoverZero,
  signatureMalleable,
  unboundedLoop,
  timestampRandomness,
];

// group: read-only reentrancy, arbitrary calls, msg.value in loops
const CALLBACKS_AND_BATCHES: ScanDetector[] = [
  reentrancyReadOnly,
  arbitraryCall,
  arbitraryDelegatecall,
  msgValueLoop,
];

export const DETECTORS: readonly ScanDetector[] = [
  ...CALLS,
  ...ACCESS,
  ...PRICES,
  ...SIGNATURES_LOOPS_RANDOMNESS,
  ...CALLBACKS_AND_BATCHES,
];
