/** Catalogue entries of the findings `patchgate watch` raises live (the upgrades rule reuses audit's). */
import type { CatalogEntry } from './catalog-entry.js';

export const WATCH_ENTRIES: CatalogEntry[] = [
  // governance tampering (watch/rules/governance.ts).
  {
    id: 'watch-role-changed',
    title: 'Role changed outside a planned operation',
    severity: 'high',
    blocking: true,
    summary:
      "An AccessControl role was granted or revoked, or a role's admin changed, on the timelock or a protected contract, and no timelock operation a patch planned made the change: someone can now act (or can no longer act) where the governance path did not decide it. A role granted on the timelock is critical (the grantee can propose, execute, cancel or administer the timelock); elsewhere high.",
    fix: 'Treat it as an incident: find who sent the transaction, pause what the new role holder can reach, and undo the change through the lifecycle (a planned revokeRole operation).',
    example:
      'vault 0x9fE4…6e0: RoleGranted: GUARDIAN_ROLE granted to 0x2361…1E8f (by 0xCf7E…0Fc9), in tx 0x5c1e… — made by timelock operation 0x7a3b…, which no patch planned',
  },
  {
    id: 'watch-owner-changed',
    title: 'Owner changed outside a planned operation',
    severity: 'critical',
    blocking: true,
    summary:
      "OwnershipTransferred on a ProxyAdmin or a protected Ownable contract that no planned timelock operation made. On a ProxyAdmin or a UUPS implementation the owner holds the upgrade right: the new owner can upgrade at once, without the timelock's delay.",
    fix: 'Treat it as an incident: pause the protected contracts, find who sent the transaction, and hand ownership back to the timelock through the lifecycle.',
    example:
      'ProxyAdmin 0xCafa…c9B8: OwnershipTransferred: ownership transferred from 0xCf7E…0Fc9 to 0x2361…1E8f, in tx 0x8e0f… — made by timelock operation 0x41d0…, which no patch planned',
  },
  {
    id: 'watch-safe-changed',
    title: 'Safe owners, threshold, guard, modules or fallback handler changed',
    severity: 'high',
    blocking: true,
    summary:
      'The Safe that proposes to the timelock changed who signs (AddedOwner, RemovedOwner, ChangedThreshold) or what runs around its transactions (ChangedGuard, ChangedFallbackHandler, EnabledModule, DisabledModule). No patch changes the Safe, so every such change is reported: high, and critical for an enabled module, which can execute any transaction without the owners.',
    fix: 'Confirm with every owner that they signed it; if not, rotate the remaining owners, disable the module or guard, and cancel whatever the Safe scheduled since.',
    example:
      "Safe 0xe7f1…0512: EnabledModule: module 0x2361…1E8f enabled (it can move anything without the owners' signatures), in tx 0x3d2a… — not made by a timelock operation any patch planned",
  },
  {
    id: 'watch-timelock-delay-changed',
    title: 'Timelock minimum delay changed outside a planned operation',
    severity: 'high',
    blocking: true,
    summary:
      "The timelock's minimum delay changed (MinDelayChange) without a planned operation: a shorter delay shrinks the window in which depositors and the watcher can react to a queued upgrade; a longer one slows the emergency lane.",
    fix: 'Find the operation that changed it, and set the delay back with a planned `updateDelay` operation; review what was scheduled under the changed delay.',
    example:
      'timelock 0xCf7E…0Fc9: MinDelayChange: minimum delay changed from 3600 s to 60 s, in tx 0x6b7c… — made by timelock operation 0x9e21…, which no patch planned',
  },
  {
    id: 'watch-unproposed-operation',
    title: 'Timelock operation scheduled that no patch proposed',
    severity: 'critical',
    blocking: true,
    summary:
      'The timelock scheduled an operation (CallScheduled) whose id no stored patch planned: a proposer key (the Safe, or a leaked proposer) queued a call that went around propose, check and approve. Once its delay passes anyone holding the executor role can run it.',
    fix: "Cancel it before its delay passes (`cancel` response, or the canceller key with the operation id), then find out who signed the proposer's transaction.",
    example:
      'timelock 0xCf7E…0Fc9 scheduled operation 0x7a3b… (delay 3600 s) that no patch proposed, in tx 0x5c1e…: call 0: timelock 0xCf7E…0Fc9.grantRole(0xb091…, 0x2361…1E8f)',
  },
  // state — invariants, outflows, pending transactions (watch/rules/invariants.ts, outflows.ts, pending.ts).
  {
    id: 'watch-invariant-broken',
    title: 'Invariant broken on the live chain',
    severity: 'critical',
    blocking: true,
    summary:
      'An invariant of the config (a view call compared with a value) held and no longer does — read at a new block, or on the state a pending transaction would leave. A view that reverts counts as broken. Raised once when it breaks, not on every block while it stays broken.',
    fix: 'Find the transaction named in the alert (or the block), pause the contract if it is an attack, and patch the cause before unpausing.',
    example:
      'invariant no-assets-lost broken at block 41: totalAssets() on 0x0165…Eb8F is 12, expected >= 59000000000',
  },
  {
    id: 'watch-outflow-over-cap',
    title: 'Outflow over the cap',
    severity: 'critical',
    blocking: true,
    summary:
      'More of a watched token left a protected contract in one block (net of what came back in the same block) than the cap the config sets for it — or a pending transaction would send out that much.',
    fix: 'Pause the contract and check the transaction named in the alert; if the outflow was legitimate, raise the cap for that asset.',
    example:
      '0x0165…Eb8F sent out 60000000000 TestUSD net in block 41 (tx 0xb74f…6b4c), over the cap of 10000000000',
  },
  {
    id: 'watch-outflow-abnormal',
    title: 'Outflow far above the baseline',
    severity: 'high',
    blocking: true,
    summary:
      "A block's net outflow of a watched token from a protected contract is more than `factor` times the contract's average outflow per block over the last `window` blocks (or `floor`, if higher).",
    fix: 'Check the transaction named in the alert; if the flow was legitimate, raise `factor` or `floor` for that asset.',
    example:
      '0x0165…Eb8F sent out 2500000000 TestUSD net in block 24 (tx 0x6b3f…8251), over 2 × max(mean 1225000000 over 4 blocks, floor 0)',
  },
  // match rules — a team's events and function calls (watch/rules/match.ts).
  {
    id: 'watch-match',
    title: 'A watched event or call matched',
    severity: 'high',
    blocking: true,
    summary:
      "An event emitted by, or a top-level call to, one of a `watch.match` entry's addresses, whose decoded parameters satisfy the entry's expression (OpenZeppelin Monitor's condition language). The severity is the entry's (`high` unless it says otherwise).",
    fix: 'Check the transaction named in the alert; if the match is routine, tighten the expression (a higher threshold, an excluded sender).',
    example:
      'large-deposits: Deposit on 0x0165…Eb8F in block 41 (tx 0xb74f…6b4c): sender=0x7099…79C8, owner=0x7099…79C8, assets=5000000000, shares=5000000000 matches assets > 1000000000',
  },
  {
    id: 'watch-custom',
    title: "A team's own watch rule raised an alert",
    severity: 'high',
    blocking: false,
    summary:
      "A rule module listed under `watch.custom` judged a block (or a pending transaction) and raised this; its severity and message are the module's own, and so is what it means.",
    fix: "Read the rule's message; the module's author says what to do.",
    example: 'busy-block: 312 transactions to the vault in block 19000000',
  },
  // the watcher's own health (watch/watcher.ts).
  {
    id: 'watch-rule-failed',
    title: 'A watch rule could not judge a block',
    severity: 'high',
    blocking: false,
    summary:
      'A rule threw on the same block three times in a row with an error that is not the node failing to answer (a bug in a custom module, a value it cannot decode). The watcher logs this alert and goes on to the next block with the other rules; that rule did not judge this block. It fails closed: a rule whose respond is pause still pauses. A node that does not answer, or refuses the request, is retried from the same block for as long as it takes, never skipped.',
    fix: 'Read the error in the alert; fix the rule (or its module) and judge the block again with `patchgate watch --from <block> --until <block>` on a fresh state dir.',
    example:
      'rule busy-block could not judge block 19000000 (3 attempts): TypeError: Cannot read properties of undefined',
  },
  // the watcher's own responses (watch/respond/).
];
