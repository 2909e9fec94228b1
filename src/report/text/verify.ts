/** A verify report in text: each on-chain check with its verdict, then the findings. */
import type { VerifyReport } from '../../lifecycle/verify.js';
import type { Colors } from './findings.js';

export function verifyText(r: VerifyReport, c: Colors): string {
  const width = Math.max(...r.checks.map((k) => k.name.length));
  const lines = [
    `${r.verdict === 'pass' ? c.green(c.bold('PASS')) : c.red(c.bold('FAIL'))}  verify ${r.patch}  digest ${r.digest.slice(0, 18)}…  (state ${r.state})`,
    ...r.checks.map((k) => `  ${k.ok ? c.green('✓') : c.red('✗')} ${k.name.padEnd(width)}  ${k.detail}`),
  ];
  for (const f of r.findings) lines.push('', `  ${c.red(f.id)}: ${f.message}`, `    > fix: ${f.hint}`);
  return `${lines.join('\n')}\n`;
}
