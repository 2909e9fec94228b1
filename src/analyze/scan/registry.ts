/**
 * Every scan detector, one file each in detectors/. Keep the groups: each is added to by its own line range, so
 * that detectors written side by side merge without touching each other's lines.
 */
import type { ScanDetector } from './detector.js';
import { ecrecoverZero } from './detectors/ecrecover-zero.js';
import { reentrancy } from './detectors/reentrancy.js';
import { reentrancyCrossFunction } from './detectors/reentrancy-cross-function.js';
import { signatureMalleable } from './detectors/signature-malleable.js';
import { signatureNoChainId } from './detectors/signature-no-chain-id.js';
import { signatureNoNonce } from './detectors/signature-no-nonce.js';
import { timestampRandomness } from './detectors/timestamp-randomness.js';
import { txOrigin } from './detectors/tx-origin.js';
import { unboundedLoop } from './detectors/unbounded-loop.js';
import { uncheckedCall } from './detectors/unchecked-call.js';
import { unprotectedFunction } from './detectors/unprotected-function.js';

// group: calls and reentrancy
const CALLS: ScanDetector[] = [reentrancy, reentrancyCrossFunction, uncheckedCall];

// group: access and authorization
const ACCESS: ScanDetector[] = [txOrigin, unprotectedFunction];

// group: prices, tokens and arithmetic

// group: signatures, loops and randomness
const SIGNATURES_LOOPS_RANDOMNESS: ScanDetector[] = [
  signatureNoNonce,
  signatureNoChainId,
  ecrecoverZero,
  signatureMalleable,
  unboundedLoop,
  timestampRandomness,
];

export const DETECTORS: readonly ScanDetector[] = [...CALLS, ...ACCESS, ...SIGNATURES_LOOPS_RANDOMNESS];
