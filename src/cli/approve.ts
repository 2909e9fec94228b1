/** `patchgate approve`: one approver's EIP-712 approval of a patch digest (and their Safe signatures). */
import { readFileSync, statSync } from 'node:fs';
import { Command } from 'commander';
import type { Hex } from 'viem';
import { inputError, isPatchgateError } from '../core/errors.js';
import { refuseKeyShapedPath } from '../govern/keys.js';
import { FORMAT_HINT, MAX_APPROVAL_FILE_BYTES, parseApprovalFile } from '../lifecycle/approval-file.js';
import type { ApprovalFile, ApprovalRequest, ApproveResult } from '../lifecycle/approve.js';
import {
  addLifecycleOptions,
  emit,
  type LifecycleOptions,
  optionalAccount,
  withLifecycle,
} from './lifecycle.js';
import { addDigestArgument, addKeyOptions, type KeyOptions } from './options.js';

interface ApproveOptions extends LifecycleOptions, KeyOptions {
  approval?: string;
  typedData?: boolean;
}

/** Read an approval file: refused (exit 2) when it is a key, unreadable, or too large to be one. */
export function readApprovalFile(path: string): ApprovalFile {
  refuseKeyShapedPath('--approval', path);
  let text: string;
  try {
    const bytes = statSync(path).size;
    if (bytes > MAX_APPROVAL_FILE_BYTES) {
      throw inputError(
        'bad-approval-file',
        `approval file ${path} is ${bytes} bytes; an approval file is at most ${MAX_APPROVAL_FILE_BYTES}`,
        FORMAT_HINT,
      );
    }
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (isPatchgateError(e)) throw e;
    throw inputError(
      'bad-approval-file',
      `cannot read ${path}: ${(e as NodeJS.ErrnoException).code}`,
      'check the --approval path',
    );
  }
  return parseApprovalFile(text, path);
}

/** How to sign what `--typed-data` printed: the hashes a wallet shows, and how each kind of signer takes it. */
export function typedDataGuide(request: ApprovalRequest): string[] {
  return [
    `sign elsewhere (patch ${request.digest}):`,
    `  approval              EIP-712 hash ${request.approval.hash}`,
    `                        domain ${request.approval.domainHash}  message ${request.approval.messageHash}`,
    ...request.safeTxs.map(
      (t) => `  ${`${t.purpose} SafeTx @${t.safeNonce}`.padEnd(22)}EIP-712 hash ${t.hash} (Safe owners only)`,
    ),
    ...request.howToSign.map((line) => `  - ${line}`),
  ];
}

export function approveText(r: ApproveResult): string[] {
  const lines = [
    r.alreadyApproved && r.safeSigned.length === 0
      ? `already approved by ${r.signer}: nothing changed; ${r.approvals} of ${r.threshold} approvals (state ${r.state})`
      : `${r.alreadyApproved ? 'ALREADY APPROVED' : 'APPROVED'} by ${r.signer}: ${r.approvals} of ${r.threshold} approvals (state ${r.state})`,
    ...r.safeSigned.map(
      (s) => `  signed the ${s.purpose} SafeTx for Safe nonce ${s.safeNonce}: ${s.safeTxHash}`,
    ),
  ];
  lines.push(
    '',
    r.state === 'approved'
      ? `next: patchgate queue ${r.digest} --rpc URL --key-env SUBMITTER_KEY`
      : r.state === 'proposed'
        ? `next: ${r.threshold - r.approvals} more approver(s) run patchgate approve ${r.digest}`
        : `the patch is ${r.state}: patchgate status ${r.digest}`,
  );
  return lines;
}

export function approveCommand(onExit: (code: number) => void): Command {
  const cmd = new Command('approve')
    .description(
      'approve a patch digest (EIP-712, bound to chain, proxy and digest); Safe owners also sign its SafeTxs',
    )
    .option(
      '--approval <file>',
      'record an approval signed elsewhere (JSON: digest, chainId, proxy, nonce, expiry, signature, safeSignatures)',
    )
    .option('--typed-data', 'print the EIP-712 typed data to sign elsewhere, and stop');
  addDigestArgument(cmd);
  addLifecycleOptions(cmd);
  addKeyOptions(cmd, 'the approver');
  cmd.action(async (digest: Hex, opts: ApproveOptions) => {
    if (opts.typedData) {
      const request = await withLifecycle(opts, async (lc) =>
        (await import('../lifecycle/approve.js')).approvalRequest(lc, digest),
      );
      // The document to sign is JSON whatever the format; in text, a guide to signing it goes to stderr.
      emit({ ...opts, format: 'json' }, request, () => []);
      if (opts.format !== 'json') process.stderr.write(`${typedDataGuide(request).join('\n')}\n`);
      onExit(0);
      return;
    }
    const signer = optionalAccount(opts);
    const file = opts.approval ? readApprovalFile(opts.approval) : undefined;
    if (signer && file) {
      throw inputError(
        'key-ambiguous',
        'approve takes a key (--key-env, --keystore) or an approval file (--approval), not both',
        'an approval file carries its own signature: pass --approval FILE alone',
      );
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
