/** `patchgate reveal`: publish an executed embargoed patch's withheld entries and its bundle in the log. */
import { Command } from 'commander';
import type { Hex } from 'viem';
import type { RevealReport } from '../lifecycle/reveal.js';
import { addLifecycleOptions, emit, type LifecycleOptions, withLifecycle } from './lifecycle.js';
import { addDigestArgument } from './options.js';

function revealText(r: RevealReport): string[] {
  const entries = r.appended.length > 0 ? `log entries ${r.appended.join(', ')}` : 'nothing new in the log';
  return [
    `${r.already ? 'ALREADY REVEALED' : 'REVEALED'}  ${r.digest}  (${r.state}; ${entries})`,
    `  commitment  ${r.commitment}`,
    `  revealed at ${r.revealedAt}`,
    '',
    'next: patchgate log export --out log.jsonl; patchgate log head > head.json; patchgate log verify --file log.jsonl --head head.json --signer 0xLOG_SIGNER',
  ];
}

export function revealCommand(onExit: (code: number) => void): Command {
  const cmd = new Command('reveal').description(
    'after an embargoed patch executed: publish its withheld log entries and its bundle (docs/embargo.md)',
  );
  addDigestArgument(cmd);
  addLifecycleOptions(cmd);
  cmd.action(async (digest: Hex, opts: LifecycleOptions) => {
    const result = await withLifecycle(opts, async (lc) =>
      (await import('../lifecycle/reveal.js')).reveal(lc, { digest }),
    );
    emit(opts, result, () => revealText(result));
    onExit(0);
  });
  return cmd;
}
