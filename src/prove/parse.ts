/**
 * solc's SMTChecker diagnostics → one outcome per assertion. Codes (solc 0.8.30): 6328 "CHC: Assertion violation
 * happens here." (with a counterexample) or "… might happen here." (the solver gave up: unknown); 9576 "CHC:
 * Assertion violation check is safe!" (showProvedSafe: proved); 7737 inline assembly, and any "does not yet
 * support" / "not yet implemented" warning: a construct the checker abstracts, which makes a violation possibly
 * spurious (solc: "false positives").
 */
import type { SolcError } from '../build/solc.js';
import { type CallStep, parseCounterexample } from './counterexample.js';

export interface Position {
  file: string;
  line: number;
}

export type AssertionOutcome =
  | { status: 'proved'; at: Position }
  | { status: 'violated'; at: Position; trace: CallStep[]; values: Record<string, string> }
  | { status: 'unknown'; at: Position; reason: string };

export interface Unsupported {
  feature: string;
  at?: Position;
}

export interface ParsedRun {
  assertions: AssertionOutcome[];
  /** Constructs the checker abstracted (inline assembly, …), each once. */
  unsupported: Unsupported[];
  /** solc errors (not SMTChecker's): the sources did not compile. */
  errors: string[];
}

type Diagnostic = SolcError & { errorCode?: string };

function positionOf(e: Diagnostic, sources: Record<string, { content?: string }>): Position {
  const loc = e.sourceLocation;
  const content = loc ? sources[loc.file]?.content : undefined;
  const line = loc && content !== undefined ? content.slice(0, loc.start).split('\n').length : 0;
  return { file: loc?.file ?? '', line };
}

function unsupportedFeature(e: Diagnostic): string | undefined {
  if (e.errorCode === '7737') return 'inline assembly';
  const m = /(?:does not yet support|not yet implemented|not yet supported)(.*)$/im.exec(e.message);
  if (!m) return undefined;
  return e.message.split('\n')[0]?.replace(/\.$/, '') ?? 'an unsupported construct';
}

export function parseRun(output: string, sources: Record<string, { content?: string }>): ParsedRun {
  const parsed = JSON.parse(output) as { errors?: Diagnostic[] };
  const assertions: AssertionOutcome[] = [];
  const unsupported: Unsupported[] = [];
  const errors: string[] = [];
  for (const e of parsed.errors ?? []) {
    if (e.severity === 'error') {
      errors.push(e.formattedMessage ?? e.message);
      continue;
    }
    const at = positionOf(e, sources);
    if (e.message.startsWith('CHC: Assertion violation check is safe')) {
      assertions.push({ status: 'proved', at });
    } else if (e.message.startsWith('CHC: Assertion violation happens here')) {
      const { trace, values } = parseCounterexample(e.message);
      assertions.push({ status: 'violated', at, trace, values });
    } else if (e.message.startsWith('CHC: Assertion violation might happen here')) {
      assertions.push({ status: 'unknown', at, reason: 'the solver could not decide it' });
    } else {
      const feature = unsupportedFeature(e);
      if (feature && !unsupported.some((u) => u.feature === feature)) unsupported.push({ feature, at });
    }
  }
  return { assertions, unsupported, errors };
}
