/**
 * SARIF 2.1.0 for GitHub code scanning. GitHub rejects results without a physical location, so a finding
 * without one is attached to the project's config file at line 1 (`patchgate.config.json`).
 * Fixed findings are not results (nothing to alert on); acknowledged ones carry an external suppression.
 */
import { createHash } from 'node:crypto';
import { CATALOG } from '../analyze/catalog.js';
import type { Finding, Report } from '../analyze/finding.js';

const LEVEL: Record<Finding['severity'], 'error' | 'warning' | 'note'> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
  info: 'note',
};

const SECURITY_SEVERITY: Record<Finding['severity'], string> = {
  critical: '9.5',
  high: '8.0',
  medium: '5.5',
  low: '3.0',
  info: '0.0',
};

const pascal = (id: string) => id.replace(/(^|-)([a-z0-9])/g, (_, __, ch: string) => ch.toUpperCase());

function fingerprint(f: Finding): string {
  return createHash('sha256')
    .update([f.id, f.location?.file, f.location?.contract, f.location?.function, f.key].join('|'))
    .digest('hex')
    .slice(0, 32);
}

export function renderSarif(report: Report, opts: { rootDir?: string } = {}): string {
  const results = report.findings.filter((f) => f.status !== 'fixed');
  const ruleIds = [...new Set(results.map((f) => f.id))];
  const rules = ruleIds.map((id) => {
    const entry = CATALOG[id];
    const f = results.find((r) => r.id === id) as Finding;
    return {
      id,
      name: pascal(id),
      shortDescription: { text: entry?.title ?? f.title },
      fullDescription: { text: entry?.summary ?? f.title },
      help: {
        text: `${entry?.summary ?? ''} Fix: ${entry?.fix ?? f.hint ?? ''}`,
        markdown: `${entry?.summary ?? ''}\n\n**Fix:** ${entry?.fix ?? f.hint ?? ''}\n\nSee docs/findings.md#${id}.`,
      },
      defaultConfiguration: { level: LEVEL[entry?.severity ?? f.severity] },
      properties: {
        tags: ['security', 'smart-contract', 'upgrade'],
        'security-severity': SECURITY_SEVERITY[entry?.severity ?? f.severity],
      },
    };
  });
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'patchgate',
            version: report.tool.version,
            semanticVersion: report.tool.version,
            informationUri: 'https://github.com/patchgate/patchgate',
            rules,
          },
        },
        ...(opts.rootDir ? { originalUriBaseIds: { '%SRCROOT%': { uri: toFileUri(opts.rootDir) } } } : {}),
        results: results.map((f) => ({
          ruleId: f.id,
          ruleIndex: ruleIds.indexOf(f.id),
          level: LEVEL[f.severity],
          message: { text: f.hint ? `${f.message} Fix: ${f.hint}` : f.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: {
                  uri: (f.location?.file ?? 'patchgate.config.json').replace(/\\/g, '/'),
                  uriBaseId: '%SRCROOT%',
                },
                region: { startLine: Math.max(1, f.location?.line ?? 1) },
              },
              ...(f.location
                ? {
                    logicalLocations: [
                      {
                        name: f.location.function ?? f.location.contract,
                        fullyQualifiedName: [f.location.contract, f.location.function]
                          .filter(Boolean)
                          .join('.'),
                        kind: f.location.function ? 'function' : 'type',
                      },
                    ],
                  }
                : {}),
            },
          ],
          partialFingerprints: { patchgateFindingHash: fingerprint(f) },
          properties: { status: f.status ?? 'introduced', severity: f.severity, blocking: f.blocking },
          ...(f.acknowledged
            ? { suppressions: [{ kind: 'external', justification: f.acknowledgedReason ?? 'acknowledged' }] }
            : {}),
        })),
      },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}

function toFileUri(dir: string): string {
  const withSlash = dir.endsWith('/') ? dir : `${dir}/`;
  return `file://${withSlash.replace(/\\/g, '/')}`;
}
