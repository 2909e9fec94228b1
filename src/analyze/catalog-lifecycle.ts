/**
 * The catalogue entries of the stages after `check` and `simulate`: on-chain verification of an executed
 * patch (`verify-*`) and the upgrade-history audit (`audit-*`). catalog.ts merges them into CATALOG.
 */
import type { CatalogEntry } from './catalog-entry.js';

export const LIFECYCLE_ENTRIES: readonly CatalogEntry[] = [
  {
    id: 'verify-implementation-mismatch',
    title: 'The proxy does not run the approved implementation',
    severity: 'critical',
    blocking: true,
    summary:
      'After execution the ERC-1967 implementation slot of the proxy holds another address than the approved implementation: something upgraded it behind the approved path, or the executed call was not the approved one.',
    fix: 'Treat it as an incident: find the transaction that set the slot (`patchgate audit`), pause, and re-run the approved patch.',
    example: 'implementation slot holds 0x9A67…F0E5, the approved implementation is 0x4c5f…21B8',
  },
  {
    id: 'verify-bytecode-mismatch',
    title: 'The implementation code is not the audited build',
    severity: 'critical',
    blocking: true,
    summary:
      'The runtime bytecode at the approved implementation differs from the compiled candidate (CBOR metadata and immutables masked), or its codehash differs from the approved one.',
    fix: 'Do not trust the deployment: find out how the code changed, then deploy the audited build and re-propose.',
    example: 'runtime code of 0x4c5f…21B8 differs from src/VaultV2.sol:VaultV2 at byte 1043',
  },
  {
    id: 'verify-implementation-initializable',
    title: 'The implementation itself can still be initialized',
    severity: 'critical',
    blocking: true,
    summary:
      "The implementation contract's own OpenZeppelin Initializable version is not type(uint64).max: its initializers were not disabled when it was deployed, so anyone can call its initializer, take ownership of it and — for UUPS — upgrade or destroy it. Runtime bytecode cannot show this: the constructor is not part of it.",
    fix: 'Deploy the implementation from a build whose constructor calls `_disableInitializers()` (let patchgate deploy the audited build), and propose again.',
    example:
      'the implementation 0x4c5f…21B8 can be initialized by anyone: its own Initializable version is 0, not type(uint64).max',
  },
  {
    id: 'verify-calldata-mismatch',
    title: 'The executed call is not the approved call',
    severity: 'critical',
    blocking: true,
    summary:
      "The timelock's CallExecuted event for the patch's operation shows another target, value or calldata than the approved ones, or the operation was never executed.",
    fix: 'Find who executed what (`patchgate status`, the transaction itself) and re-run the approved patch.',
    example: 'operation 0x2e25…: executed calldata 0x9623…aa differs from the approved 0x9623…bb',
  },
  {
    id: 'audit-unexplained-upgrade',
    title: 'Upgrade the transparency log does not explain',
    severity: 'critical',
    blocking: true,
    summary:
      "The proxy's implementation (or its beacon, or the beacon's implementation) changed in a transaction that no executed patch in the verified log accounts for: the upgrade went around the approved path — a compromised key, a rogue timelock operation, or a patch nobody logged.",
    fix: 'Treat it as an incident: pause the contract, find who sent the transaction and what the new implementation does, and restore an approved implementation through the lifecycle.',
    example:
      'block 57: Upgraded(0x9A67…F0E5) in tx 0x5c1e…, sent by 0x7099…79C8: no executed log entry has this transaction',
  },
  {
    id: 'audit-unexplained-admin-change',
    title: 'Change of upgrade rights the transparency log does not explain',
    severity: 'critical',
    blocking: true,
    summary:
      "The proxy's admin (AdminChanged) or the owner of its ProxyAdmin, beacon or UUPS implementation (OwnershipTransferred) changed after deployment in a transaction no executed patch in the verified log accounts for: whoever holds the new rights can upgrade without the timelock.",
    fix: 'Treat it as an incident: find who sent the transaction, pause the contract, and hand the rights back to the governance path (Safe → timelock) through the lifecycle.',
    example:
      'block 61: OwnershipTransferred(0xe7f1…0512 → 0x1CBd…c9Ec) of ProxyAdmin 0x5FbD…0aa3 in tx 0x8e0f…, sent by 0xe7f1…0512',
  },
  {
    id: 'audit-silent-upgrade',
    title: 'Implementation set without an upgrade event',
    severity: 'critical',
    blocking: true,
    summary:
      "The proxy's ERC-1967 implementation (or beacon) slot, or its beacon's implementation, holds an address that no Upgraded / BeaconUpgraded event set: the slot was written directly (an implementation with a storage-write backdoor, a delegatecall), so event-based monitoring never saw it.",
    fix: 'Treat it as an incident: find the transaction that wrote the slot (trace the blocks since the last event), pause the contract and restore an approved implementation.',
    example: 'the implementation slot holds 0x9A67…F0E5, but the last Upgraded event set 0x4c5f…21B8',
  },
  {
    id: 'audit-codehash-mismatch',
    title: 'Implementation code is not the logged code',
    severity: 'critical',
    blocking: true,
    summary:
      'An implementation that an authorized patch installed no longer hashes to the codehash its patch-proposed entry recorded (keccak256 of the runtime code): the code that runs is not the code that was approved — a metamorphic contract redeployed at the same address, or a wrong log.',
    fix: 'Do not trust the proxy: compare the code at the address with the audited build, pause, and propose the audited build again.',
    example:
      'implementation 0x4c5f…21B8 (patch 0x3f1c…) hashes to 0x77aa…; the log recorded codehash 0x1b2c…',
  },
  {
    id: 'audit-executed-not-on-chain',
    title: 'Logged execution the chain does not show',
    severity: 'high',
    blocking: true,
    summary:
      "The log has an executed entry for a patch of this proxy whose transaction emitted no Upgraded event for the patch's implementation (or does not exist): the log claims an upgrade that did not happen, so it cannot be trusted to describe the proxy.",
    fix: 'Find out what the logged transaction did; correct the record with a new entry (the log is append-only) and check the team’s tooling.',
    example:
      'executed entry 6 (patch 0x3f1c…) names tx 0x9d04…, which emitted no Upgraded(0x4c5f…) for the proxy',
  },
  {
    id: 'audit-gate-mismatch',
    title: 'PatchGate event disagrees with the log',
    severity: 'critical',
    blocking: true,
    summary:
      "A PatchExecuted event of the PatchGate contract names another digest, implementation, codehash or lane than the log's executed patch for the same transaction: the on-chain record and the log describe different upgrades.",
    fix: 'Find which record is wrong (the gate checks the codehash on chain); treat a log that misdescribes an upgrade as compromised.',
    example: 'tx 0x5c1e…: PatchGate says digest 0xaa01…, the log executed patch 0x3f1c… there',
  },
  {
    id: 'audit-log-unverified',
    title: 'Transparency log export fails verification',
    severity: 'critical',
    blocking: true,
    summary:
      'The export given with --log does not verify (an entry modified, inserted, deleted or moved, or it does not match the signed head): nothing in it is used, so every change after deployment is reported unexplained.',
    fix: 'Get the export and signed head again from the log operator and run `patchgate log verify`; a log that keeps failing has been tampered with.',
    example:
      'the log export fails verification: first bad entry 4 (hash-mismatch: entry 4 does not hash to its leaf)',
  },
  {
    id: 'audit-log-no-head',
    title: 'Transparency log given without a signed head: not used',
    severity: 'high',
    blocking: false,
    summary:
      'Without --head nothing authenticates the export: whoever handed it over could have written any entry and recomputed every hash. None of it is used, so every change after deployment is reported unexplained (those findings block).',
    fix: "Pass the log's signed head with --head HEAD.json and pin its signer with --signer ADDRESS.",
    example:
      "no --head given: nothing authenticates the export's 12 entries, so none is used and every change after deployment is unexplained",
  },
  {
    id: 'audit-log-unsigned-tail',
    title: 'Log entries after the signed head are ignored',
    severity: 'high',
    blocking: false,
    summary:
      'The export has more entries than the signed head commits to. A head vouches for its first `size` entries only: anything after them could have been appended by anyone (a forged patch-proposed + executed pair re-hashes fine), so those entries are named and ignored — they explain no change. A change only they would explain is reported unexplained.',
    fix: 'Get a head that covers the whole export (`patchgate log head` after the last entry); if the operator did not write those entries, treat the export as tampered with.',
    example:
      'entries 2…3 of the export come after the signed head (size 2): no head commits to them, so they are ignored (2 patch-proposed 0x3f1c…, 3 executed 0x3f1c…)',
  },
  {
    id: 'audit-log-signer-unpinned',
    title: "Log head not checked against the log's published signer",
    severity: 'high',
    blocking: false,
    summary:
      'Without --signer the head could only be checked against the address it names itself: that proves whoever holds that key signed it, and anyone can sign a forged log with a fresh key. The audit therefore uses none of the log, and every change after deployment is unexplained.',
    fix: "Pass the log's published signer address with --signer ADDRESS (obtained independently of the head file).",
    example:
      "the head is signed by 0x9965…A4dc, the address the head itself names: no --signer ties it to the log's published key, and anyone can sign a forged log with their own key — so none of it is used and every change after deployment is unexplained",
  },
  {
    id: 'audit-no-log',
    title: 'No transparency log given',
    severity: 'info',
    blocking: false,
    summary:
      'Without --log the audit rebuilds the history from the chain alone: nothing can explain a change, so every upgrade and admin change after deployment is reported unexplained.',
    fix: 'Pass the export of the log (`patchgate log export`) with --log and its signed head with --head.',
    example: 'no --log given: every change after deployment is unexplained',
  },
];
