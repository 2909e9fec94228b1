/**
 * `patchgate gate deploy`: puts patchgate's PatchGate contract on chain (contracts/src/PatchGate.sol, compiled
 * with the bundled solc-js), with its controller (the TimelockController) and anchorer (the log's head
 * signer) fixed for its lifetime. docs/contract.md says how to put it in front of a ProxyAdmin.
 */
import { Command } from 'commander';
import type { Address } from 'viem';
import { connect } from '../chain/clients.js';
import { emit, type LifecycleOptions, requiredAccount } from './lifecycle.js';
import {
  addKeyOptions,
  addOutputOptions,
  addRpcOption,
  addStoreOptions,
  type KeyOptions,
  stateDirOf,
} from './options.js';
import { address } from './options-address.js';

export function gateCommand(onExit: (code: number) => void): Command {
  const gate = new Command('gate').description(
    'the PatchGate contract: on-chain log anchor and codehash-checked upgrades',
  );
  const deploy = new Command('deploy').description(
    'deploy PatchGate with its controller (the timelock) and anchorer (the log signer)',
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
  addStoreOptions(deploy, { database: false });
  addOutputOptions(deploy, ['text', 'json']);
  addKeyOptions(deploy, 'the deployer (pays gas; gets no rights)');
  deploy.action(async (opts: LifecycleOptions & KeyOptions & { controller: Address; anchorer: Address }) => {
    const deployer = requiredAccount(opts);
    const clients = await connect(opts.rpc as string);
    const { deployPatchGate, loadPatchGate } = await import('../anchor/contract.js');
    const project = await loadPatchGate({ stateDir: stateDirOf(opts) });
    const d = await deployPatchGate(clients, project, {
      deployer,
      controller: opts.controller,
      anchorer: opts.anchorer,
    });
    emit(opts, d, () => [
      `DEPLOYED  PatchGate ${d.address}  (tx ${d.txHash}, block ${d.blockNumber}, gas ${d.gasUsed})`,
      `  controller ${opts.controller}, anchorer ${opts.anchorer}`,
    ]);
    onExit(0);
  });
  gate.addCommand(deploy);
  return gate;
}
