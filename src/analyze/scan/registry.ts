/**
 * Every scan detector, one file each in detectors/. Keep the groups: each is added to by its own line range, so
 * that detectors written side by side merge without touching each other's lines.
 */
import type { ScanDetector } from './detector.js';
import { divideBeforeMultiply } from './detectors/divide-before-multiply.js';
import { erc4626Inflation } from './detectors/erc4626-inflation.js';
import { missingDeadline } from './detectors/missing-deadline.js';
import { missingSlippage } from './detectors/missing-slippage.js';
import { spotPrice } from './detectors/spot-price.js';
import { txOrigin } from './detectors/tx-origin.js';
import { uncheckedErc20 } from './detectors/unchecked-erc20.js';
import { unsafeDowncast } from './detectors/unsafe-downcast.js';

// group: calls and reentrancy

// group: access and authorization
const ACCESS: ScanDetector[] = [txOrigin];

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

export const DETECTORS: readonly ScanDetector[] = [...ACCESS, ...PRICES];
