/**
 * What a scan detector is: one file in detectors/, one finding id, a function from a contract's typed view to
 * hits. A hit names the AST node it is about and the function or modifier that holds it; the runner (run.ts)
 * turns hits into findings with a location, a fingerprint of the normalised source (what matches a finding
 * across versions, not its line) and any suppression the source or the config declares.
 *
 * Detectors read the typed AST and the call graph (../ast.ts, ../callgraph.ts, ../calls.ts,
 * ../state-access.ts), never source text.
 */
import type { FunctionDefinition, ModifierDefinition } from 'solidity-ast';
import type { Severity } from '../../core/finding.js';
import type { FindingId } from '../../core/finding-ids.js';
import type { ContractView } from '../ast.js';

export type Confidence = 'high' | 'medium' | 'low';

export interface ScanHit {
  /** The node the finding points at: the statement or expression that is the problem. */
  node: { src: string; id?: number };
  /** The function or modifier whose code holds `node` (the location's function and part of the fingerprint). */
  within?: FunctionDefinition | ModifierDefinition;
  /** What, where and why: names the function, the variable or call, and the consequence. */
  message: string;
  /** This hit's severity when it differs from the catalogue's (a read-only reentrancy feeding a price is high). */
  severity?: Severity;
  /** This hit's confidence when it differs from the detector's. */
  confidence?: Confidence;
  /**
   * Mixed into the fingerprint: tells apart two hits of one detector on the same node (two state variables
   * written after one call). Stable across versions: a name, not a position.
   */
  detail?: string;
}

/** The contract a detector looks at, with what every detector needs. */
export interface ScanContext {
  view: ContractView;
  /**
   * The functions and modifiers that run for this contract (overrides resolved) and are declared in the
   * project's own sources: what the team wrote and can fix. Dependency code (node_modules, `@…` imports,
   * Foundry's lib/) is followed by the call graph but not reported on.
   */
  own: (FunctionDefinition | ModifierDefinition)[];
  /** Whether a node (a function, a statement) is in the project's own sources. */
  isOwn: (node: { src: string }) => boolean;
}

export interface ScanDetector {
  /** The finding id; its catalogue entry (catalog-scan.ts) holds title, severity, SWC, CWE, summary and fix. */
  id: FindingId;
  /** How often a hit of this detector is a real problem (the bench's precision decides it). */
  confidence: Confidence;
  run(ctx: ScanContext): ScanHit[];
}
