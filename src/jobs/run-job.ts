/**
 * One job's work: the same library call the CLI command makes (`check --patch`, `simulate --patch`, `verify`,
 * `audit`), on the worker's project, state dir and chain. Returns the report; storing it is the worker's.
 */
import { proveOf } from '../analyze/prove-stage.js';
import { runCheck } from '../analyze/run-check.js';
import type { Clients } from '../chain/clients.js';
import type { Config } from '../config/schema.js';
import { inputError } from '../core/errors.js';
import type { Report } from '../report/report.js';
import type { Store } from '../store/store.js';
import type { JobRequest } from './request.js';

export interface JobContext {
  config: Config;
  projectDir: string;
  stateDir: string;
  store: Store;
  /** The chain `verify` and `audit` read (`--rpc`); without it those jobs are refused. */
  chain?: { clients: Clients; rpcUrl: string };
}

function declaredPatch(config: Config, name: string) {
  const patch = config.patches.find((p) => p.name === name);
  if (!patch) {
    throw inputError(
      'unknown-patch',
      `patch "${name}" is not declared in the config`,
      `declared patches: ${config.patches.map((p) => p.name).join(', ') || 'none'}`,
    );
  }
  return patch;
}

function requireChain(ctx: JobContext, kind: string): NonNullable<JobContext['chain']> {
  if (ctx.chain) return ctx.chain;
  throw inputError(
    'server-read-only',
    `a ${kind} job reads the chain, and this worker was started without --rpc`,
    'start the workers with --rpc URL',
  );
}

export async function runJob(ctx: JobContext, request: JobRequest): Promise<Report> {
  switch (request.kind) {
    case 'check': {
      const patch = declaredPatch(ctx.config, request.patch);
      const target = ctx.config.contracts[patch.contract];
      return runCheck({
        projectDir: ctx.projectDir,
        stateDir: ctx.stateDir,
        reference: target?.reference ?? patch.contract,
        candidate: patch.candidate,
        kind: target?.kind,
        acknowledge: ctx.config.acknowledge,
        ...proveOf(ctx.config),
      });
    }
    case 'simulate': {
      declaredPatch(ctx.config, request.patch);
      const { runSimulate } = await import('../simulate/run-simulate.js');
      return runSimulate({
        config: ctx.config,
        projectDir: ctx.projectDir,
        stateDir: ctx.stateDir,
        patch: request.patch,
        ...(request.seed !== undefined ? { seed: request.seed } : {}),
      });
    }
    case 'verify': {
      const chain = requireChain(ctx, 'verify');
      const { verify } = await import('../lifecycle/verify.js');
      return verify(
        {
          config: ctx.config,
          projectDir: ctx.projectDir,
          stateDir: ctx.stateDir,
          store: ctx.store,
          ...chain,
        },
        { digest: request.digest.toLowerCase() as `0x${string}` },
      );
    }
    case 'audit': {
      const chain = requireChain(ctx, 'audit');
      const { auditProxy } = await import('../audit/index.js');
      return auditProxy(chain.clients.public, { proxy: request.proxy });
    }
  }
}
