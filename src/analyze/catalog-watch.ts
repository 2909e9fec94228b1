/** Catalogue entries of the findings `patchgate watch` raises live (the upgrades rule reuses audit's). */
import type { CatalogEntry } from './catalog-entry.js';

export const WATCH_ENTRIES: CatalogEntry[] = [
  // governance tampering (watch/rules/governance.ts).
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
  // the watcher's own responses (watch/respond/).
];
