/**
 * `patchgate gate deploy`: puts patchgate's PatchGate contract on chain (contracts/src/PatchGate.sol, compiled
 * with the bundled solc-js), with its controller (the TimelockController) and anchorer (the log's head
 * signer) fixed for its lifetime. docs/contract.md says how to put it in front of a ProxyAdmin.
 */
import { resolve } from 'node:path';
import { Command } from 'commander';
import type { Address } from 'viem';
import { connect } from '../chain/clients.js';
import { parseAddress } from '../govern/address.js';
import { addKeyOptions, emit, type KeyOptions, type LifecycleOptions, requiredAccount } from './lifecycle.js';

function address(flag: string) {
  return (v: string): Address => parseAddress(v, flag);
}

export function gateCommand(onExit: (code: number) => void): Command {
  const gate = new Command('gate').description(
    'the PatchGate contract: on-chain log anchor and codehash-checked upgrades',
  );
  const deploy = new Command('deploy')
    .description('deploy PatchGate with its controller (the timelock) and anchorer (the log signer)')
    .requiredOption('--rpc <url>', 'JSON-RPC URL of the chain')
    .requiredOption(
      '--controller <address>',
      'the TimelockController, the only caller of the upgrade functions',
      address('--controller'),
    )
    .requiredOption(
      '--anchorer <address>',
      "the log head signer's address, the only caller of anchor()",
      address('--anchorer'),
    )
    .option('--state-dir <dir>', 'where patchgate keeps its compiler cache', '.patchgate')
    .option('--format <format>', 'text or json', 'text')
    .option('--out <file>', 'write the output to a file instead of stdout');
  addKeyOptions(deploy, 'the deployer (pays gas; gets no rights)');
  deploy.action(async (opts: LifecycleOptions & KeyOptions & { controller: Address; anchorer: Address }) => {
    const deployer = requiredAccount(opts);
    const clients = await connect(opts.rpc as string);
    const { deployPatchGate, loadPatchGate } = await import('../anchor/contract.js');
    const project = await loadPatchGate({ stateDir: resolve(opts.stateDir ?? '.patchgate') });
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
  gate.addCommand(deploy.exitOverride());
  return gate;
}
