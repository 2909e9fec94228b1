/**
 * A patch's source diff, for the page: the reference's source file against the candidate's, as a unified diff —
 * served only when the candidate, compiled from the project here, is the code the patch approved. With the chain
 * (`--rpc`), the implementation's code on chain is read, its hash must be the record's `codehash`, and the compiled
 * candidate must match it byte for byte (immutables masked): a reviewer is never shown sources that do not build
 * what executes (409 `source-mismatch`). Without a chain the diff is served marked unverified, saying why.
 */
import { createTwoFilesPatch } from 'diff';
import { type Hex, keccak256 } from 'viem';
import { compiled } from '../build/artifact.js';
import { findContract } from '../build/find.js';
import { loadProject } from '../build/load.js';
import type { ContractHandle } from '../build/types.js';
import { compareRuntime } from '../chain/bytecode.js';
import type { Config } from '../config/schema.js';
import { blockedError, inputError } from '../core/errors.js';
import type { Lifecycle } from '../lifecycle/lifecycle.js';
import type { StoredPatch } from '../store/store.js';

export interface SourceDiff {
  reference: string;
  candidate: string;
  /** The unified diff of the reference's file against the candidate's (`--- a/… +++ b/…`). */
  diff: string;
  /** The two files whole, by source name (what findings' `file:line` point into), for excerpts. */
  sources: Record<string, string>;
  /** Whether the candidate compiled here is the code on chain the patch approved, and how that was decided. */
  verified: { ok: boolean; how: string };
}

export interface SourceDiffContext {
  config: Config;
  projectDir: string;
  stateDir: string;
  lc?: Lifecycle;
}

const sourceOf = (h: ContractHandle): string => h.unit.input.sources[h.sourceName]?.content ?? '';

function declared(config: Config, patch: StoredPatch): { reference: string; candidate: string } {
  const name = patch.plan?.name;
  const declaredPatch = name ? config.patches.find((p) => p.name === name) : undefined;
  const target = declaredPatch ? config.contracts[declaredPatch.contract] : undefined;
  if (!declaredPatch || !target) {
    throw inputError(
      'unknown-patch',
      `patch ${patch.digest.slice(0, 10)}… (${name ?? 'no name'}) is not declared in this server's config`,
      'start serve with the config the patch was proposed from (--config / --project)',
    );
  }
  return { reference: target.reference, candidate: declaredPatch.candidate };
}

export async function sourceDiff(ctx: SourceDiffContext, patch: StoredPatch): Promise<SourceDiff> {
  const refs = declared(ctx.config, patch);
  const project = await loadProject({ dir: ctx.projectDir, stateDir: ctx.stateDir });
  const reference = findContract(project, refs.reference);
  const candidate = findContract(project, refs.candidate);
  const diff = createTwoFilesPatch(
    `a/${reference.sourceName}`,
    `b/${candidate.sourceName}`,
    sourceOf(reference),
    sourceOf(candidate),
    reference.fullyQualifiedName,
    candidate.fullyQualifiedName,
    { context: 3 },
  );
  const out = {
    reference: reference.fullyQualifiedName,
    candidate: candidate.fullyQualifiedName,
    diff,
    sources: { [reference.sourceName]: sourceOf(reference), [candidate.sourceName]: sourceOf(candidate) },
  };
  if (!ctx.lc) {
    return {
      ...out,
      verified: { ok: false, how: 'no chain (serve without --rpc): not compared with the approved code' },
    };
  }
  const code = await ctx.lc.clients.public.getCode({ address: patch.record.implementation });
  const onChain = (code ?? '0x') as Hex;
  if (keccak256(onChain) !== patch.record.codehash) {
    throw blockedError(
      'source-mismatch',
      `the code at ${patch.record.implementation} does not hash to the patch's codehash`,
      'the implementation on this chain is not the one approved: do not review these sources for it',
    );
  }
  const match = compareRuntime(onChain, compiled(candidate).evm.deployedBytecode);
  if (!match.match) {
    throw blockedError(
      'source-mismatch',
      `${candidate.fullyQualifiedName} as compiled here differs from the approved implementation at byte ${match.firstDifference}`,
      "the project's sources changed since the patch was proposed: check out the revision it was proposed from",
    );
  }
  return {
    ...out,
    verified: {
      ok: true,
      how: `compiled here, equal to the code at ${patch.record.implementation} (codehash checked)`,
    },
  };
}
