/** `patchgate approve`: one approver's EIP-712 approval of a patch digest (and their Safe signatures). */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import type { Address, Hex } from 'viem';
import { inputError } from '../errors.js';
import type { ApprovalFile, ApproveResult } from '../lifecycle/approve.js';
import type { SafePurpose } from '../store/store.js';
import {
  addKeyOptions,
  addLifecycleOptions,
  emit,
  type KeyOptions,
  type LifecycleOptions,
  optionalAccount,
  parseDigest,
  withLifecycle,
} from './lifecycle.js';

interface ApproveOptions extends LifecycleOptions, KeyOptions {
  approval?: string;
  typedData?: boolean;
}

const HEX = (bytes: number) => new RegExp(`^0x[0-9a-fA-F]{${bytes * 2}}$`);

/** An approval file as `approve --typed-data` describes it, each field checked with a clear error. */
export function parseApprovalFile(text: string, file: string): ApprovalFile {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw inputError(
      'bad-approval-file',
      `approval file ${file} is not JSON`,
      'see `patchgate approve --typed-data` for the format',
    );
  }
  const field = (name: string, re: RegExp, what: string): string => {
    const v = raw?.[name];
    const s = typeof v === 'number' ? String(v) : v;
    if (typeof s !== 'string' || !re.test(s)) {
      throw inputError(
        'bad-approval-file',
        `approval file ${file}: "${name}" is not ${what}`,
        'see `patchgate approve --typed-data` for the format',
      );
    }
    return s;
  };
  const approval = {
    digest: field('digest', HEX(32), 'a 32-byte hex digest').toLowerCase() as Hex,
    chainId: Number(field('chainId', /^\d+$/, 'a chain id')),
    proxy: field('proxy', HEX(20), 'an address') as Address,
    nonce: BigInt(field('nonce', /^\d+$/, 'a decimal nonce')),
    expiry: BigInt(field('expiry', /^\d+$/, 'a decimal unix time')),
    signature: field('signature', /^0x[0-9a-fA-F]+$/, 'a hex signature') as Hex,
  };
  const sigs = Array.isArray(raw.safeSignatures) ? (raw.safeSignatures as Record<string, unknown>[]) : [];
  const safeSignatures = sigs.map((s, i) => {
    const purpose = s.purpose;
    if (purpose !== 'schedule' && purpose !== 'execute') {
      throw inputError(
        'bad-approval-file',
        `approval file ${file}: safeSignatures[${i}].purpose is not schedule or execute`,
        'fix the file',
      );
    }
    if (!/^\d+$/.test(String(s.safeNonce)) || typeof s.signature !== 'string' || !HEX(65).test(s.signature)) {
      throw inputError(
        'bad-approval-file',
        `approval file ${file}: safeSignatures[${i}] needs a decimal safeNonce and a 65-byte signature`,
        'fix the file',
      );
    }
    return {
      purpose: purpose as SafePurpose,
      safeNonce: BigInt(String(s.safeNonce)),
      signature: s.signature as Hex,
    };
  });
  return { approval, safeSignatures };
}

export function approveText(r: ApproveResult): string[] {
  const lines = [
    `${r.alreadyApproved ? 'ALREADY APPROVED' : 'APPROVED'} by ${r.signer}: ${r.approvals} of ${r.threshold} approvals (state ${r.state})`,
    ...r.safeSigned.map(
      (s) => `  signed the ${s.purpose} SafeTx for Safe nonce ${s.safeNonce}: ${s.safeTxHash}`,
    ),
  ];
  lines.push(
    '',
    r.state === 'approved'
      ? `next: patchgate queue ${r.digest} --rpc URL --key-env SUBMITTER_KEY`
      : `next: ${r.threshold - r.approvals} more approver(s) run patchgate approve ${r.digest}`,
  );
  return lines;
}

export function approveCommand(onExit: (code: number) => void): Command {
  const cmd = new Command('approve')
    .description(
      'approve a patch digest (EIP-712, bound to chain, proxy and digest); Safe owners also sign its SafeTxs',
    )
    .argument('<digest>', 'the patch digest')
    .option(
      '--approval <file>',
      'record an approval signed elsewhere (JSON: digest, chainId, proxy, nonce, expiry, signature, safeSignatures)',
    )
    .option('--typed-data', 'print the EIP-712 typed data to sign elsewhere, and stop');
  addLifecycleOptions(cmd, { rpc: true });
  addKeyOptions(cmd, 'the approver');
  cmd.action(async (digestArg: string, opts: ApproveOptions) => {
    const digest = parseDigest(digestArg);
    if (opts.typedData) {
      const request = await withLifecycle(opts, async (lc) =>
        (await import('../lifecycle/approve.js')).approvalRequest(lc, digest),
      );
      emit({ ...opts, format: 'json' }, request, () => []);
      onExit(0);
      return;
    }
    const signer = optionalAccount(opts);
    let file: ApprovalFile | undefined;
    if (opts.approval) {
      let text: string;
      try {
        text = readFileSync(opts.approval, 'utf8');
      } catch (e) {
        throw inputError(
          'bad-approval-file',
          `cannot read ${opts.approval}: ${(e as NodeJS.ErrnoException).code}`,
          'check the --approval path',
        );
      }
      file = parseApprovalFile(text, opts.approval);
    }
    if (!signer && !file) {
      throw inputError(
        'key-missing',
        'approve needs a key or an approval file',
        'pass --key-env NAME, --keystore FILE or --approval FILE',
      );
    }
    const result = await withLifecycle(opts, async (lc) =>
      (await import('../lifecycle/approve.js')).approve(lc, { digest, signer, file }),
    );
    emit(opts, result, () => approveText(result));
    onExit(0);
  });
  return cmd;
}
