/**
 * The embargo bundle: everything an approver needs to judge an embargoed patch, in one canonical JSON document —
 * the patch record and plan, both evidence reports, the candidate's sources with the compiler and its settings,
 * the exact call the timelock makes and its operation id, and a random 32-byte salt. Its commitment is
 * keccak256 of its canonical JSON (`evidenceDigest`): the only thing the public log holds until the reveal. The
 * salt makes the commitment hiding — without it anyone could hash a guessed patch and compare (docs/embargo.md).
 *
 * `readBundle` is what an approver (and `log verify`, for a revealed one) trusts: the text must be a bundle of this
 * format, and every part must agree with every other — the record digests to the digest, each report hashes to the
 * record's evidence hash, the plan's salt is the digest, the call and operation id follow from record and plan.
 */
import { randomBytes } from 'node:crypto';
import { type Address, type Hex, isAddressEqual, toHex } from 'viem';
import { z } from 'zod';
import { canonicalJson, evidenceDigest } from '../core/digest.js';
import { inputError } from '../core/errors.js';
import { type PatchRecord, patchDigest } from '../govern/digest.js';
import { type PatchPlan, planOperationId, timelockCall } from '../govern/plan.js';

const BUNDLE_FORMAT = 'patchgate-embargo-bundle/1';

const hex = (re: RegExp, what: string) => z.string().regex(re, `must be ${what}`);
const bytes32 = hex(/^0x[0-9a-f]{64}$/i, '0x and 64 hex digits');
const address = hex(/^0x[0-9a-fA-F]{40}$/, 'an address');
const hexBytes = hex(/^0x([0-9a-fA-F]{2})*$/, '0x-prefixed hex bytes');

const recordSchema = z.strictObject({
  chainId: z.number().int().positive(),
  proxy: address,
  target: address,
  implementation: address,
  codehash: bytes32,
  calldata: hexBytes,
  lane: z.enum(['standard', 'emergency']),
  evidence: z.record(z.string(), bytes32),
});

const planSchema = z.strictObject({
  name: z.string(),
  contract: z.string(),
  candidate: z.string(),
  safe: address,
  timelock: address,
  predecessor: bytes32,
  salt: bytes32,
  delay: z.string().regex(/^[0-9]+$/),
  proposedAt: z
    .string()
    .regex(/^[0-9]+$/)
    .optional(),
  gate: address.optional(),
});

const bundleSchema = z.strictObject({
  format: z.literal(BUNDLE_FORMAT),
  salt: bytes32,
  digest: bytes32,
  record: recordSchema,
  plan: planSchema,
  call: z.strictObject({ target: address, data: hexBytes, operationId: bytes32 }),
  evidence: z.record(z.string(), z.unknown()),
  build: z.strictObject({
    candidate: z.string(),
    compiler: z.string(),
    settings: z.unknown(),
    sources: z.record(z.string(), z.string()),
  }),
});

export type Bundle = z.infer<typeof bundleSchema> & { record: PatchRecord; plan: PatchPlan; digest: Hex };

export interface BundleBuild {
  /** The candidate as `file:Name`. */
  candidate: string;
  /** solc's long version, e.g. `0.8.30+commit.73712a01`. */
  compiler: string;
  /** The standard-JSON input's settings the candidate was compiled with. */
  settings: unknown;
  /** Every source the candidate's file needs, by source unit name. */
  sources: Record<string, string>;
}

/**
 * A new bundle for a patch, with a fresh random salt.
 *
 * @example
 * ```ts
 * const bundle = makeBundle({ record, plan, evidence: { check, simulate }, build });
 * const commitment = commitmentOf(bundle); // what the log's patch-committed entry holds
 * ```
 */
export function makeBundle(parts: {
  record: PatchRecord;
  plan: PatchPlan;
  evidence: Record<string, unknown>;
  build: BundleBuild;
}): Bundle {
  const digest = patchDigest(parts.record);
  const call = timelockCall(parts.record, parts.plan);
  return {
    format: BUNDLE_FORMAT,
    salt: toHex(randomBytes(32)),
    digest,
    record: parts.record,
    plan: parts.plan,
    call: { ...call, operationId: planOperationId(parts.record, parts.plan) },
    evidence: parts.evidence,
    build: parts.build,
  };
}

/** The bundle's bytes: its canonical JSON (what the commitment hashes, the file holds and the reveal publishes). */
export function bundleText(bundle: Bundle): string {
  return canonicalJson(bundle);
}

/** keccak256 of the bundle's canonical JSON. */
export function commitmentOf(bundle: unknown): Hex {
  return evidenceDigest(bundle);
}

const tampered = (what: string, name: string) =>
  inputError(
    'bundle-tampered',
    `${name}: ${what}`,
    'do not approve from this file: ask the proposer for the bundle again and check it against the log',
  );

/** Each part agrees with the others; the first disagreement, or undefined. */
function disagreement(b: Bundle): string | undefined {
  const digest = patchDigest(b.record);
  if (digest !== b.digest.toLowerCase())
    return `its record digests to ${digest}, not to its digest ${b.digest}`;
  const stages = Object.keys(b.record.evidence).sort();
  const reports = Object.keys(b.evidence).sort();
  if (canonicalJson(stages) !== canonicalJson(reports)) {
    return `its evidence reports (${reports.join(', ')}) are not the record's stages (${stages.join(', ')})`;
  }
  for (const stage of stages) {
    const hash = evidenceDigest(b.evidence[stage]);
    if (hash !== b.record.evidence[stage]?.toLowerCase()) {
      return `its ${stage} report hashes to ${hash}, not to the record's ${b.record.evidence[stage]}`;
    }
  }
  if (b.plan.salt.toLowerCase() !== digest)
    return `its plan's salt ${b.plan.salt} is not the digest ${digest}`;
  const call = timelockCall(b.record, b.plan);
  if (
    !isAddressEqual(call.target, b.call.target as Address) ||
    call.data.toLowerCase() !== b.call.data.toLowerCase()
  ) {
    return 'its timelock call is not the one the record and plan make';
  }
  const id = planOperationId(b.record, b.plan);
  if (id !== b.call.operationId.toLowerCase()) return `its operation id is not ${id}`;
  if (!b.plan.candidate || b.plan.candidate !== b.build.candidate) {
    return `its build is of ${b.build.candidate}, the plan's candidate is ${b.plan.candidate}`;
  }
  return undefined;
}

/**
 * Reads a bundle's text (a file, or a `patch-revealed` entry): JSON of this format whose parts agree. Its
 * commitment is taken over the canonical form, so a re-indented copy still checks; a changed byte of content
 * does not.
 */
export function readBundle(
  text: string,
  name: string,
): { bundle: Bundle; commitment: Hex; canonical: boolean } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw inputError(
      'bundle-invalid',
      `${name} is not JSON`,
      'pass the bundle file `propose --embargo` wrote',
    );
  }
  const parsed = bundleSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw inputError(
      'bundle-invalid',
      `${name} is not an embargo bundle (${BUNDLE_FORMAT}): ${issue ? `${issue.path.join('.') || 'it'} ${issue.message}` : 'wrong shape'}`,
      'pass the bundle file `propose --embargo` wrote (docs/embargo.md)',
    );
  }
  const bundle = parsed.data as Bundle;
  const wrong = disagreement(bundle);
  if (wrong) throw tampered(wrong, name);
  return {
    bundle,
    commitment: commitmentOf(value),
    canonical: canonicalJson(value) === text.replace(/\n$/, ''),
  };
}
