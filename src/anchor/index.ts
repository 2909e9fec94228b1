/** On-chain anchoring and gating: the PatchGate contract (contracts/src/PatchGate.sol) and how to use it. */
export { PATCHGATE_ABI } from '../govern/patchgate-abi.js';
export { type GatedUpgrade, gatedUpgradeCall, releaseOwnershipCall } from '../govern/patchgate-calls.js';
export { type AnchorHeadParameters, type AnchorResult, anchorHead } from './anchor-head.js';
export {
  type DeployPatchGateParameters,
  deployPatchGate,
  loadPatchGate,
  PATCHGATE_DIR,
  type PatchGateDeployment,
} from './contract.js';
export {
  type AnchoredHead,
  type BlockRange,
  type PatchExecution,
  readAnchors,
  readPatchExecuted,
} from './events.js';
