/** `patchgate approve`: one approver's EIP-712 approval of a patch digest (and their Safe signatures). */
import { readFileSync, statSync } from 'node:fs';
import { Command } from 'commander';
import type { Address, Hex } from 'viem';
import { inputError, isPatchgateError } from '../core/errors.js';
import { refuseKeyShapedPath } from '../govern/keys.js';
import type { ApprovalFile, ApprovalRequest, ApproveResult } from '../lifecycle/approve.js';
import type { SafePurpose } from '../store/store.js';
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

const HEX = (bytes: number) => new RegExp(`^0x[0-9a-fA-F]{${bytes * 2}}$`);

/** An approval file is a few hundred bytes; anything near this is not one (and is not read whole). */
export const MAX_APPROVAL_FILE_BYTES = 64 * 1024;

const FORMAT_HINT = 'see `patchgate approve --typed-data` (its "file") for the format';

/** An approval file as `approve --typed-data` describes it, each field checked with a clear error. */
export function parseApprovalFile(text: string, file: string): ApprovalFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw inputError('bad-approval-file', `approval file ${file} is not JSON`, FORMAT_HINT);
  }
  const isObject = (v: unknown): v is Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObject(parsed)) {
    throw inputError('bad-approval-file', `approval file ${file} is not a JSON object`, FORMAT_HINT);
  }
  const raw = parsed;
  const field = (name: string, re: RegExp, what: string): string => {
    const v = raw[name];
    const s = typeof v === 'number' && Number.isSafeInteger(v) ? String(v) : v;
    if (typeof s !== 'string' || !re.test(s)) {
      throw inputError('bad-approval-file', `approval file ${file}: "${name}" is not ${what}`, FORMAT_HINT);
    }
    return s;
  };
  // A uint256 has at most 78 decimal digits; a chain id must be a safe integer.
  const uint = /^\d{1,78}$/;
  const chainId = Number(field('chainId', /^\d{1,16}$/, 'a chain id'));
  if (!Number.isSafeInteger(chainId)) {
    throw inputError('bad-approval-file', `approval file ${file}: "chainId" is not a chain id`, FORMAT_HINT);
  }
  const approval = {
    digest: field('digest', HEX(32), 'a 32-byte hex digest').toLowerCase() as Hex,
    chainId,
    proxy: field('proxy', HEX(20), 'an address') as Address,
    nonce: BigInt(field('nonce', uint, 'a decimal uint256 nonce')),
    expiry: BigInt(field('expiry', uint, 'a decimal unix time')),
    signature: field('signature', /^0x[0-9a-fA-F]+$/, 'a hex signature') as Hex,
  };
  const list = raw.safeSignatures ?? [];
  if (!Array.isArray(list) || list.length > 2) {
    throw inputError(
      'bad-approval-file',
      `approval file ${file}: "safeSignatures" is not a list of at most two (schedule, execute)`,
      FORMAT_HINT,
    );
  }
  const safeSignatures = list.map((s: unknown, i) => {
    const purpose = isObject(s) ? s.purpose : undefined;
    if (!isObject(s) || (purpose !== 'schedule' && purpose !== 'execute')) {
      throw inputError(
        'bad-approval-file',
        `approval file ${file}: safeSignatures[${i}].purpose is not schedule or execute`,
        FORMAT_HINT,
      );
    }
    const nonce =
      typeof s.safeNonce === 'number' && Number.isSafeInteger(s.safeNonce)
        ? String(s.safeNonce)
        : s.safeNonce;
    if (
      typeof nonce !== 'string' ||
      !uint.test(nonce) ||
      typeof s.signature !== 'string' ||
      !HEX(65).test(s.signature)
    ) {
      throw inputError(
        'bad-approval-file',
        `approval file ${file}: safeSignatures[${i}] needs a decimal safeNonce and a 65-byte signature`,
        FORMAT_HINT,
      );
    }
    return { purpose: purpose as SafePurpose, safeNonce: BigInt(nonce), signature: s.signature as Hex };
  });
  return { approval, safeSignatures };
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
