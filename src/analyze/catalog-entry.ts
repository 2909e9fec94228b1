/** One entry of the finding catalogue (catalog.ts): what a finding id means, how bad it is and how to fix it. */

import type { Severity } from '../core/finding.js';
import type { FindingId } from '../core/finding-ids.js';

export interface CatalogEntry {
  id: FindingId;
  title: string;
  severity: Severity;
  /** Whether the finding alone makes the gate say no (unless acknowledged or fixed by the patch). */
  blocking: boolean;
  /** One or two sentences: what it means and why it matters. */
  summary: string;
  /** One sentence: how to fix it. */
  fix: string;
  /** A short Solidity or report snippet showing the problem. */
  example: string;
  /** The SWC registry entry (`SWC-115`), for a scan detector that has one. */
  swc?: string;
  /** The CWE (`CWE-477`), for a scan detector that has one. */
  cwe?: string;
}
