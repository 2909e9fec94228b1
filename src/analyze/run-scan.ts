/**
 * `patchgate scan`: the vulnerability scan on its own — every contract of the project's own sources that can be
 * deployed (or the ones named), each judged alone; with a reference, one patch judged like `check`'s scan
 * stage (fixed / introduced / unchanged). The team's acknowledgements apply as in `check`.
 */
import type { ContractDefinition } from 'solidity-ast';
import { allContracts, findContract, loadProject } from '../build/index.js';
import type { ContractHandle, Project } from '../build/types.js';
import { evidenceDigest } from '../core/digest.js';
import { type Finding, type ReportHeader, verdictOf } from '../core/finding.js';
import { passedIf, stageRecorder } from '../core/stages.js';
import { VERSION } from '../core/version.js';
import { type Acknowledgement, applyAcknowledgements } from './acknowledge.js';
import { contractView } from './ast.js';
import { findReference } from './reference.js';
import { DETECTORS } from './scan/registry.js';
import { isDependencySource, scanContract, scanDiff } from './scan/run.js';

export interface RunScanParameters {
  projectDir: string;
  stateDir: string;
  /** Contracts to scan (`Name` or `path/File.sol:Name`); default: every deployable contract of the project's own sources. */
  contracts?: readonly string[];
  /** The live version of the one contract named: the scan then judges the patch reference → contract. */
  reference?: string;
  acknowledge?: readonly Acknowledgement[];
  project?: Project;
}

export interface ScanReport extends ReportHeader<'scan'> {
  /** The contracts scanned, each with how many findings it has. */
  contracts: { fullyQualifiedName: string; findings: number }[];
  /** With a reference: the patch the findings are relative to. */
  reference?: string;
  /** The detectors that ran, by finding id. */
  detectors: string[];
}

/** Test and script files of Foundry and Hardhat (`*.t.sol`, `*.s.sol`, test/, script/): not deployed. */
function isTestOrScript(file: string): boolean {
  return /\.(t|s)\.sol$/.test(file) || /(^|\/)(test|tests|script|scripts)\//.test(file);
}

function deployable(handle: ContractHandle): boolean {
  const ast = handle.unit.output.sources?.[handle.sourceName]?.ast as { nodes?: unknown[] } | undefined;
  const def = (ast?.nodes ?? []).find(
    (n): n is ContractDefinition =>
      (n as ContractDefinition).nodeType === 'ContractDefinition' &&
      (n as ContractDefinition).name === handle.name,
  );
  return def?.contractKind === 'contract' && !def.abstract;
}

/** The project's own deployable contracts: what `patchgate scan` looks at when no contract is named. */
function scannedContracts(project: Project): ContractHandle[] {
  return allContracts(project).filter(
    (h) => !isDependencySource(h.sourceName) && !isTestOrScript(h.sourceName) && deployable(h),
  );
}

export async function runScan(params: RunScanParameters): Promise<ScanReport> {
  const recorder = stageRecorder();
  const project =
    params.project ?? (await loadProject({ dir: params.projectDir, stateDir: params.stateDir }));
  recorder.lap('compile', 'passed');
  const handles = params.contracts?.length
    ? params.contracts.map((ref) => findContract(project, ref))
    : scannedContracts(project);
  const perContract: { fullyQualifiedName: string; findings: Finding[] }[] = [];
  if (params.reference !== undefined) {
    const candidate = handles[0] as ContractHandle;
    const reference = findReference(project, params.reference);
    perContract.push({
      fullyQualifiedName: candidate.fullyQualifiedName,
      findings: scanDiff(contractView(reference), contractView(candidate)),
    });
  } else {
    for (const handle of handles) {
      perContract.push({
        fullyQualifiedName: handle.fullyQualifiedName,
        findings: scanContract(contractView(handle)),
      });
    }
  }
  const findings = applyAcknowledgements(
    perContract.flatMap((c) => c.findings),
    params.acknowledge ?? [],
  );
  const verdict = verdictOf(findings);
  recorder.lap('scan', passedIf(verdict === 'pass'));
  const contracts = perContract.map((c) => ({
    fullyQualifiedName: c.fullyQualifiedName,
    findings: c.findings.length,
  }));
  return {
    tool: { name: 'patchgate', version: VERSION },
    verdict,
    digest: evidenceDigest({ contracts, findings }),
    stages: recorder.stages,
    findings,
    report: 'scan',
    contracts,
    ...(params.reference !== undefined ? { reference: params.reference } : {}),
    detectors: DETECTORS.map((d) => d.id),
  };
}
