/**
 * Every scan detector, one file each in detectors/. Keep the groups: each is added to by its own line range, so
 * that detectors written side by side merge without touching each other's lines.
 */
import type { ScanDetector } from './detector.js';
import { reentrancy } from './detectors/reentrancy.js';
import { reentrancyCrossFunction } from './detectors/reentrancy-cross-function.js';
import { txOrigin } from './detectors/tx-origin.js';
import { uncheckedCall } from './detectors/unchecked-call.js';

// group: calls and reentrancy
const CALLS: ScanDetector[] = [reentrancy, reentrancyCrossFunction, uncheckedCall];

// group: access and authorization
const ACCESS: ScanDetector[] = [txOrigin];

// group: prices, tokens and arithmetic

// group: signatures, loops and randomness

export const DETECTORS: readonly ScanDetector[] = [...CALLS, ...ACCESS];
