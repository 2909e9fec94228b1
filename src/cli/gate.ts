/**
 * `patchgate gate deploy`: puts patchgate's PatchGate contract on chain (contracts/src/PatchGate.sol, compiled
 * with the bundled solc-js), with its controller (the TimelockController), anchorer (the log's head signer)
 * and the config's approval policy (its hash and the lanes it opens) fixed for its lifetime. docs/contract.md
 * says how to put it in front of a ProxyAdmin.
 */
import { resolve } from 'node:path';
import { Command } from 'commander';
import type { Address } from 'viem';
import { connect } from '../chain/clients.js';
import { loadConfig } from '../config/load.js';
import { inputError } from '../core/errors.js';
import { gateLanes } from '../govern/patchgate-calls.js';
import { policyCommitment } from '../govern/policy.js';
import { emit, type LifecycleOptions, requiredAccount } from './lifecycle.js';
import {
  addKeyOptions,
  addOutputOptions,
  addProjectOptions,
  addRpcOption,
  addStoreOptions,
  type KeyOptions,
  stateDirOf,
} from './options.js';
import { address } from './options-address.js';

export function gateCommand(onExit: (code: number) => void): Command {
  const gate = new Command('gate').description(
    'the PatchGate contract: on-chain log anchor and codehash- and policy-checked upgrades',
  );
  const deploy = new Command('deploy').description(
    "deploy PatchGate with its controller (the timelock), anchorer (the log signer) and the config's policy",
  );
  addRpcOption(deploy, { required: true, note: 'PatchGate is deployed there' });
  deploy
    .requiredOption(
      '--controller <address>',
      'the TimelockController, the only caller of the upgrade functions',
      address('--controller'),
    )
    .requiredOption(
      '--anchorer <address>',
      "the log head signer's address, the only caller of anchor()",
      address('--anchorer'),
    );
  addProjectOptions(
    deploy,
    'project directory (where patchgate.config.json is found)',
    'patchgate.config.json whose policy the gate enforces (default: the one in --project, else in the current directory)',
  );
  addStoreOptions(deploy, { database: false });
  addOutputOptions(deploy, ['text', 'json']);
  addKeyOptions(deploy, 'the deployer (pays gas; gets no rights)');
  deploy.action(async (opts: LifecycleOptions & KeyOptions & { controller: Address; anchorer: Address }) => {
    const deployer = requiredAccount(opts);
    const searchDir = resolve(opts.project ?? '.');
    const { config, path } = await loadConfig({ file: opts.config, searchDir });
    // Never the built-in defaults: the gate enforces a policy for its lifetime, so it is the team's, written down.
    if (!path) {
      throw inputError(
        'config-not-found',
        `no patchgate.config.{ts,mjs,js,json} in ${searchDir}: the gate enforces the config's policy`,
        'pass --config FILE or --project DIR (the config whose policy the gate enforces)',
      );
    }
    const policy = policyCommitment(config.policy);
    const clients = await connect(opts.rpc as string);
    const { deployPatchGate, loadPatchGate } = await import('../anchor/contract.js');
    const project = await loadPatchGate({ stateDir: stateDirOf(opts) });
    const d = await deployPatchGate(clients, project, {
      deployer,
      controller: opts.controller,
      anchorer: opts.anchorer,
      policy,
    });
    emit(opts, { ...d, policyHash: policy.hash, allowedLanes: policy.allowedLanes }, () => [
      `DEPLOYED  PatchGate ${d.address}  (tx ${d.txHash}, block ${d.blockNumber}, gas ${d.gasUsed})`,
      `  controller ${opts.controller}, anchorer ${opts.anchorer}`,
      `  policy ${policy.hash}, lanes open: ${gateLanes(policy.allowedLanes)}`,
    ]);
    onExit(0);
  });
  gate.addCommand(deploy);
  return gate;
}
