/**
 * SARIF 2.1.0 for GitHub code scanning (and any SARIF viewer).
 *
 * - Fixed findings are not results: there is nothing left to alert on. Acknowledged ones stay, with an
 *   external suppression carrying the reason, so code scanning shows them as dismissed.
 * - Location choice: GitHub rejects a result without a physical location, and requires `startLine ≥ 1`.
 *   A finding without a location (storage layout, namespaces, simulation results) is about the candidate
 *   contract as a whole, so it points at line 1 of the candidate's source file (the file half of the
 *   report's `candidate.fullyQualifiedName`, e.g. `src/VaultV2.sol`), which exists in the repository and is
 *   where a reviewer looks. Only when the report names no candidate does it fall back to
 *   `patchgate.config.json` at line 1 (the file that declares the patch). The logical location still names
 *   the contract.
 * - URIs are relative, with forward slashes, under `%SRCROOT%`: the repository's top level when known (GitHub
 *   resolves a result's URI from the repository root: a project in `examples/vault` has its findings at
 *   `examples/vault/src/VaultV2.sol`), else the project directory.
 * - A finding in code that is not in the repository (a library under `node_modules/`, an `@openzeppelin/…`
 *   import) is placed at the candidate's own file, which the reviewer can open, and names the library spot as a
 *   `relatedLocation`.
 * - `security-severity` is given for low and up only: on an info rule GitHub would show "0.0" as a Low alert.
 * - `partialFingerprints` name what a finding is, not where it is now (see `fingerprint`), so GitHub keeps one
 *   alert per finding across pushes.
 */
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CATALOG } from '../../analyze/catalog.js';
import type { Finding, ReportHeader, Severity } from '../../core/finding.js';
import type { FindingId } from '../../core/finding-ids.js';
import { repositoryPath, type SourcePlacement } from '../placement.js';

type Level = 'error' | 'warning' | 'note';

const LEVEL: Record<Severity, Level> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
  info: 'note',
};

/** GitHub's `security-severity` (CVSS-like 0–10) decides the alert's critical/high/medium/low label; an info
 * rule has none (it is no security alert). */
const SECURITY_SEVERITY: Record<Severity, string | undefined> = {
  critical: '9.5',
  high: '8.0',
  medium: '5.5',
  low: '3.0',
  info: undefined,
};

/** The SARIF `tool.driver` that names patchgate (rules are added by the report that has some). */
export function sarifDriver(version: string) {
  return { name: 'patchgate', version, semanticVersion: version, informationUri: INFORMATION_URI };
}

const FALLBACK_ARTIFACT = 'patchgate.config.json';

const INFORMATION_URI = 'https://github.com/patchgate/patchgate';

const pascal = (id: string) => id.replace(/(^|-)([a-z0-9])/g, (_m, _dash, ch: string) => ch.toUpperCase());

/**
 * A finding's subject when the analyzer gave it no match key: its message with every number taken out (a line,
 * a program counter, a slot, a version suffix move with the code, the finding does not).
 */
const normalizedSubject = (message: string) =>
  message
    .replace(/0x[0-9a-f]+/gi, '0x')
    .replace(/\d+/g, '#')
    .replace(/\s+/g, ' ')
    .trim();

/**
 * What GitHub tracks an alert by across pushes: the rule, the contract and function it is in, and what it is
 * about (the analyzer's match key — a selector, a variable, an upgrades-core error and its name — else the
 * message without numbers). No line, no file path, no digest, no duration: a comment added above the contract,
 * a file moved or another run leave it alone; two findings of one rule at one place differ by their subject.
 */
function fingerprint(f: Finding, subject?: SarifSubject): string {
  const contract = f.location?.contract ?? subject?.contract ?? '';
  return createHash('sha256')
    .update(
      ['v2', f.id, contract, f.location?.function ?? '', f.key ?? normalizedSubject(f.message)].join('\0'),
    )
    .digest('hex')
    .slice(0, 32);
}

/** Where the URIs are rooted and which source files are the repository's own (the CLI knows the disk). */
export type SarifPlacement = SourcePlacement;

/** `%SRCROOT%` must be an absolute URI ending in a slash. */
/**
 * A path as a URI reference (RFC 3986): each segment percent-encoded, so a file name with a space, `#`, `%` or a
 * backquote is still one valid `uri` (the schema's `uri-reference`) that GitHub resolves to that file.
 */
function uriReference(path: string): string {
  return path
    .split('/')
    .map((segment) => encodeURIComponent(segment).replace(/%40/g, '@'))
    .join('/');
}

function toFileUri(dir: string): string {
  const href = pathToFileURL(resolve(dir)).href;
  return href.endsWith('/') ? href : `${href}/`;
}

/** Where a finding without a location points: the candidate's source file and contract. */
export interface SarifSubject {
  file: string;
  contract: string;
}

/** `src/VaultV2.sol:VaultV2` → `{ file: 'src/VaultV2.sol', contract: 'VaultV2' }` */
export function subjectOf(fullyQualifiedName: string): SarifSubject | undefined {
  const at = fullyQualifiedName.lastIndexOf(':');
  return at > 0
    ? { file: fullyQualifiedName.slice(0, at), contract: fullyQualifiedName.slice(at + 1) }
    : undefined;
}

/** GitHub reads a CWE from a rule's tags as `external/cwe/cwe-477`. */
const cweTags = (cwe: string | undefined) => (cwe ? [`external/cwe/${cwe.toLowerCase()}`] : []);

function rule(id: FindingId, sample: Finding) {
  const entry = CATALOG[id];
  const summary = entry?.summary ?? sample.title;
  const fix = entry?.fix ?? sample.hint ?? '';
  const severity = entry?.severity ?? sample.severity;
  return {
    id,
    name: pascal(id),
    shortDescription: { text: entry?.title ?? sample.title },
    fullDescription: { text: summary },
    helpUri: `${INFORMATION_URI}/blob/main/docs/findings.md`,
    help: {
      text: `${summary}\nFix: ${fix}`,
      markdown: `${summary}\n\n**Fix:** ${fix}\n\nSee \`docs/findings.md\`, section \`${id}\`.`,
    },
    defaultConfiguration: { level: LEVEL[severity] },
    properties: {
      tags: id.startsWith('scan-')
        ? ['security', 'smart-contract', 'vulnerability', ...cweTags(entry?.cwe)]
        : ['security', 'smart-contract', 'upgradeability'],
      precision: sample.confidence ?? 'high',
      ...(SECURITY_SEVERITY[severity] ? { 'security-severity': SECURITY_SEVERITY[severity] } : {}),
    },
  };
}

/** One SARIF run of the report's findings; a finding without a location points at `subject` (or the config). */
export function findingsSarif(
  report: ReportHeader,
  opts: SarifPlacement & { subject?: SarifSubject } = {},
): string {
  const alerts = report.findings.filter((f) => f.status !== 'fixed');
  const ruleIds = [...new Set(alerts.map((f) => f.id))];
  const rules = ruleIds.map((id) => rule(id, alerts.find((f) => f.id === id) as Finding));
  const fallback = opts.subject;

  const uri = (file: string) => uriReference(repositoryPath(file, opts));
  const results = alerts.map((f) => {
    // A spot in a library the repository does not hold: the result goes to the candidate, the spot beside it.
    const spot = f.location?.file;
    const outside = spot !== undefined && opts.inRepository !== undefined && !opts.inRepository(spot);
    const file = (outside ? undefined : spot) ?? fallback?.file ?? FALLBACK_ARTIFACT;
    const line = outside ? 1 : Math.max(1, Math.trunc(f.location?.line ?? 1));
    const contract = (outside ? fallback?.contract : undefined) ?? f.location?.contract ?? fallback?.contract;
    const fn = outside ? undefined : f.location?.function;
    return {
      ruleId: f.id,
      ruleIndex: ruleIds.indexOf(f.id),
      level: LEVEL[f.severity],
      message: { text: f.hint ? `${f.message}\nFix: ${f.hint}` : f.message },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: uri(file), uriBaseId: '%SRCROOT%' },
            region: { startLine: line },
          },
          ...(contract
            ? {
                logicalLocations: [
                  {
                    name: fn ?? contract,
                    fullyQualifiedName: fn ? `${contract}.${fn}` : contract,
                    kind: fn ? 'function' : 'type',
                  },
                ],
              }
            : {}),
        },
      ],
      ...(outside
        ? {
            relatedLocations: [
              {
                id: 0,
                physicalLocation: {
                  artifactLocation: { uri: uriReference(spot.replace(/\\/g, '/')) },
                  region: { startLine: Math.max(1, Math.trunc(f.location?.line ?? 1)) },
                },
                message: {
                  text: `in library code: ${spot}${f.location?.contract ? ` (${f.location.contract}${f.location.function ? `.${f.location.function}` : ''})` : ''}`,
                },
              },
            ],
          }
        : {}),
      partialFingerprints: { patchgateFindingHash: fingerprint(f, fallback) },
      properties: {
        status: f.status ?? 'introduced',
        acknowledged: f.acknowledged ?? false,
        blocking: f.blocking,
        severity: f.severity,
      },
      ...(f.acknowledged
        ? { suppressions: [{ kind: 'external', justification: f.acknowledgedReason ?? 'acknowledged' }] }
        : {}),
    };
  });

  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { ...sarifDriver(report.tool.version), rules } },
        ...((opts.sourceRoot ?? opts.rootDir)
          ? {
              originalUriBaseIds: { '%SRCROOT%': { uri: toFileUri(opts.sourceRoot ?? opts.rootDir ?? '.') } },
            }
          : {}),
        results,
      },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}
