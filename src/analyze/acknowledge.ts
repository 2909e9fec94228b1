/**
 * Acknowledgements (a team saying "this finding is deliberate"), and the evidence digest. Kept free of
 * heavy imports: a cached `check` applies these without loading the analyzer.
 */

import { inputError } from '../core/errors.js';
import type { Finding } from '../core/finding.js';
import { didYouMean } from '../core/suggest.js';
import { CATALOG } from './catalog.js';

export interface Acknowledgement {
  id: string;
  contract?: string;
  function?: string;
  file?: string;
  reason?: string;
  /** Where it was written (`--allow`), for errors; the config's entries leave it out. */
  source?: string;
}

function matches(ack: Acknowledgement, f: Finding): boolean {
  if (ack.id !== f.id) return false;
  if (ack.contract && ack.contract !== f.location?.contract) return false;
  if (ack.function && ack.function !== f.location?.function) return false;
  if (ack.file && ack.file !== f.location?.file) return false;
  return true;
}

/**
 * Parse a `--allow` value: `ID`, `ID@Contract` or `ID@Contract.function`.
 *
 * @example
 * ```ts
 * const ack = parseAllow('access-control-removed@VaultV2.setFee');
 * // { id: 'access-control-removed', contract: 'VaultV2', function: 'setFee', reason: '--allow', … }
 * ```
 */
export function parseAllow(value: string): Acknowledgement {
  const m = /^([a-z0-9]+(?:-[a-z0-9]+)*)(?:@([A-Za-z_$][\w$]*)(?:\.([A-Za-z_$][\w$]*))?)?$/.exec(value);
  if (!m) {
    throw inputError(
      'bad-allow',
      `--allow "${value}" is not a finding id`,
      'use ID, ID@Contract or ID@Contract.function, e.g. --allow access-control-missing@VaultV2.sweep',
    );
  }
  return {
    id: m[1] as string,
    ...(m[2] ? { contract: m[2] } : {}),
    ...(m[3] ? { function: m[3] } : {}),
    reason: '--allow',
    source: '--allow',
  };
}

/**
 * A misspelled id would acknowledge nothing and the finding would block with no word why: every acknowledged
 * id must be one the catalogue knows (exit 2, with the id it probably meant).
 */
export function assertKnownIds(acks: readonly Acknowledgement[]): void {
  for (const ack of acks) {
    if (ack.id in CATALOG) continue;
    throw inputError(
      'unknown-finding-id',
      `${ack.source ?? "the config's acknowledge"} "${ack.id}" is not a finding id${didYouMean(ack.id, Object.keys(CATALOG))}`,
      'finding ids are listed in docs/findings.md',
    );
  }
}

/**
 * Marks each finding an acknowledgement matches as `acknowledged` (it no longer blocks); an unknown finding id
 * is exit 2.
 *
 * @example
 * ```ts
 * const report = await runCheck({ projectDir: '.', stateDir: '.patchgate', reference: 'VaultV1', candidate: 'VaultV2' });
 * const findings = applyAcknowledgements(report.findings, [parseAllow('upgrade-unsafe-delegatecall@VaultV2')]);
 * console.log(verdictOf(findings));
 * ```
 */
export function applyAcknowledgements(findings: Finding[], acks: readonly Acknowledgement[]): Finding[] {
  assertKnownIds(acks);
  return findings.map((f) => {
    const ack = acks.find((a) => matches(a, f));
    return ack ? { ...f, acknowledged: true, acknowledgedReason: ack.reason ?? 'acknowledged' } : f;
  });
}
