/**
 * solc's counterexample text → a call sequence with values:
 *
 *   Counterexample:
 *   held = 0, lent = 1
 *   assets = 1
 *
 *   Transaction trace:
 *   H.constructor()
 *   State: held = 0, lent = 0
 *   H.flashLoan(1)
 *   State: held = 0, lent = 1
 *   H.deposit(1)
 */

export interface CallStep {
  /** `Contract.function(args)` as solc prints it, e.g. `DepositHarness.flashLoan(1)`. */
  call: string;
  /** The state after the call, as solc prints it (`held = 0, lent = 1`), when it printed one. */
  stateAfter?: string;
}

export function parseCounterexample(message: string): { trace: CallStep[]; values: Record<string, string> } {
  const [head = '', tail = ''] = message.split(/\n\s*Transaction trace:\n/);
  const values: Record<string, string> = {};
  const block = head.split(/Counterexample:\n/)[1] ?? '';
  for (const part of block.split(/\n|, /)) {
    const m = /^\s*([A-Za-z_$][\w.$]*) = (.*)$/.exec(part);
    if (m) values[m[1] as string] = (m[2] as string).trim();
  }
  const trace: CallStep[] = [];
  for (const raw of tail.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    const state = /^State: (.*)$/.exec(line);
    const last = trace.at(-1);
    if (state && last) last.stateAfter = state[1] as string;
    else if (!state) trace.push({ call: line });
  }
  return { trace, values };
}

/** `constructor() → flashLoan(amount = 1) → deposit(assets = 1)`: one line, names from the ABI where given. */
export function renderTrace(
  trace: readonly CallStep[],
  params: Record<string, readonly string[]> = {},
): string {
  return trace
    .map((s) => {
      const m = /^(?:[\w$]+\.)?([\w$]+)\((.*)\)$/.exec(s.call);
      if (!m) return s.call;
      const name = m[1] as string;
      const args = (m[2] as string) === '' ? [] : (m[2] as string).split(', ');
      const names = params[name];
      const shown = args.map((a, i) => (names?.[i] ? `${names[i]} = ${a}` : a)).join(', ');
      return `${name}(${shown})`;
    })
    .join(' → ');
}
