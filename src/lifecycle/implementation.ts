/**
 * The candidate implementation on the live chain. Deployed through the deterministic CREATE2 deployer
 * (0x4e59…956C, on anvil and most chains), so its address follows from its bytecode alone: a re-run after a
 * crash finds the code already there instead of deploying a second copy. An implementation deployed
 * elsewhere (`--implementation`) must match the audited build byte for byte (metadata and immutables masked).
 */

import {
  type Address,
  concat,
  getContractAddress,
  type Hex,
  keccak256,
  type LocalAccount,
  toHex,
} from 'viem';
import { compiled } from '../build/artifact.js';
import type { ContractHandle } from '../build/types.js';
import { compareRuntime } from '../chain/bytecode.js';
import { abiOf, deploy } from '../chain/deploy.js';
import { initializedVersion, initializersDisabled, usesInitializableV5 } from '../chain/initializable.js';
import { environmentError, inputError } from '../core/errors.js';
import { failpoint } from './failpoint.js';
import type { Lifecycle } from './lifecycle.js';

const CREATE2_DEPLOYER: Address = '0x4e59b44847b379578588920cA78FbF26c0B4956C';
const SALT = keccak256(toHex('patchgate.implementation.v1'));

export interface DeployedImplementation {
  address: Address;
  codehash: Hex;
  /** Already on chain (a re-run, or `--implementation`), not deployed by this run. */
  reused: boolean;
}

async function codeAt(lc: Lifecycle, address: Address): Promise<Hex | undefined> {
  const code = await lc.clients.public.getCode({ address });
  return code && code !== '0x' ? code : undefined;
}

/**
 * The deployed runtime code must be the candidate's (CBOR metadata and immutables masked), and — the
 * constructor not being part of runtime code — its initializers must be disabled on the implementation itself.
 */
async function assertAuditedBuild(
  lc: Lifecycle,
  handle: ContractHandle,
  address: Address,
  code: Hex,
): Promise<void> {
  const cmp = compareRuntime(code, compiled(handle).evm.deployedBytecode);
  if (!cmp.match) {
    throw inputError(
      'implementation-mismatch',
      `the code at ${address} is not ${handle.fullyQualifiedName}: first difference at byte ${cmp.firstDifference} (${cmp.onChainLength} bytes on chain, ${cmp.compiledLength} compiled)`,
      'pass the address of the audited build, or let patchgate deploy it',
    );
  }
  if (usesInitializableV5(abiOf(handle))) {
    const version = await initializedVersion(lc.clients.public, address);
    if (!initializersDisabled(version)) {
      throw inputError(
        'implementation-initializable',
        `the implementation at ${address} can still be initialized (its Initializable version is ${version}, not type(uint64).max): anyone could take it over`,
        'deploy it from a build whose constructor calls _disableInitializers(), or let patchgate deploy the audited build',
      );
    }
  }
}

export async function ensureImplementation(
  lc: Lifecycle,
  handle: ContractHandle,
  opts: { deployer?: LocalAccount; address?: Address },
): Promise<DeployedImplementation> {
  if (opts.address) {
    const code = await codeAt(lc, opts.address);
    if (!code) {
      throw inputError(
        'no-code',
        `--implementation ${opts.address} has no code on chain ${lc.clients.chain.id}`,
        'check the address and --rpc',
      );
    }
    await assertAuditedBuild(lc, handle, opts.address, code);
    return { address: opts.address, codehash: keccak256(code), reused: true };
  }
  const ctor = abiOf(handle).find((x) => x.type === 'constructor');
  if (ctor && ctor.type === 'constructor' && ctor.inputs.length > 0) {
    throw inputError(
      'implementation-constructor-args',
      `${handle.name}'s constructor takes arguments`,
      'deploy the implementation yourself and pass --implementation ADDRESS',
    );
  }
  const initcode = `0x${compiled(handle).evm.bytecode.object}` as Hex;
  const viaCreate2 = Boolean(await codeAt(lc, CREATE2_DEPLOYER));
  const predicted = getContractAddress({
    opcode: 'CREATE2',
    from: CREATE2_DEPLOYER,
    salt: SALT,
    bytecode: initcode,
  });
  if (viaCreate2) {
    const existing = await codeAt(lc, predicted);
    if (existing) {
      await assertAuditedBuild(lc, handle, predicted, existing);
      return { address: predicted, codehash: keccak256(existing), reused: true };
    }
  }
  if (!opts.deployer) {
    throw inputError(
      'deployer-missing',
      `${handle.name} is not deployed yet and no key was given to deploy it`,
      'pass --key-env NAME (any funded account) or --implementation ADDRESS',
    );
  }
  let address: Address;
  const wallet = lc.clients.wallet(opts.deployer);
  if (viaCreate2) {
    const hash = await wallet.sendTransaction({ to: CREATE2_DEPLOYER, data: concat([SALT, initcode]) });
    failpoint('propose:after-deploy');
    const receipt = await lc.clients.public.waitForTransactionReceipt({ hash });
    if (receipt.status !== 'success') {
      throw environmentError('deploy-reverted', `deploying ${handle.name} reverted (tx ${hash})`);
    }
    address = predicted;
  } else {
    address = await deploy(wallet, lc.clients.public, handle);
  }
  const code = await codeAt(lc, address);
  if (!code) throw environmentError('deploy-failed', `no code at ${address} after deploying ${handle.name}`);
  await assertAuditedBuild(lc, handle, address, code);
  return { address, codehash: keccak256(code), reused: false };
}
