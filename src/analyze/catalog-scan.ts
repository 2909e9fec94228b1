/**
 * Catalogue entries of the scan's detectors (src/analyze/scan/detectors/, one file each): what each finds, its
 * SWC and CWE where one exists, and the fix. Severity is the detector's usual one (a hit may raise or lower it);
 * `blocking` says whether a hit at that severity blocks when the patch introduces it (high and critical do).
 * Grouped like the registry, so that detectors written side by side add to their own group's lines.
 */
import type { CatalogEntry } from './catalog-entry.js';

export const SCAN_ENTRIES: CatalogEntry[] = [
  // group: calls and reentrancy
  {
    id: 'scan-reentrancy',
    title: 'State written after a call that can re-enter',
    severity: 'high',
    blocking: true,
    swc: 'SWC-107',
    cwe: 'CWE-841',
    summary:
      'A function anyone can call, with no reentrancy lock, calls another contract (or sends ether with call) and only then writes state it read before the call. The callee re-enters the function while that state still holds the old value and passes the same check again (The DAO). High when the state decided a check or the amount paid, medium when it was only read as a value.',
    fix: 'Write the state before the call (checks-effects-interactions), or lock the function with OpenZeppelin ReentrancyGuard(Transient) nonReentrant.',
    example:
      'function withdraw() external {\n    uint256 amount = balances[msg.sender];\n    (bool ok, ) = msg.sender.call{value: amount}("");\n    require(ok);\n    balances[msg.sender] = 0; // after the call: re-entered with the old balance\n}',
  },
  {
    id: 'scan-reentrancy-cross-function',
    title: 'Another function can be entered while a call is pending',
    severity: 'high',
    blocking: true,
    swc: 'SWC-107',
    cwe: 'CWE-841',
    summary:
      'A function makes a call that can re-enter before it is done with its state (it writes a variable after the call, or checks its own token or ether balance after it), and another function anyone can call changes or relies on that state, with no reentrancy lock held by both. The callee calls the other function mid-way (Cream/Fei; a flash loan "repaid" by a deposit that also mints shares).',
    fix: 'Finish the state changes before the call and measure repayment by pulling it (transferFrom), not by the balance; put every function that shares the state under the same nonReentrant lock.',
    example:
      'function flashLoan(IERC3156FlashBorrower r, address t, uint256 amount, bytes calldata d) external {\n    uint256 before = IERC20(t).balanceOf(address(this));\n    IERC20(t).safeTransfer(address(r), amount);\n    r.onFlashLoan(msg.sender, t, amount, fee, d); // can call deposit()\n    require(IERC20(t).balanceOf(address(this)) >= before + fee);\n}',
  },
  {
    id: 'scan-unchecked-call',
    title: 'Low-level call whose failure is ignored',
    severity: 'medium',
    blocking: false,
    swc: 'SWC-104',
    cwe: 'CWE-252',
    summary:
      'A low-level call, delegatecall or send returns false when it fails, and the code drops that flag (or stores it and never reads it): a failed payment is booked as paid, a reverted module as run. High for a delegatecall.',
    fix: 'Check the flag (if (!ok) revert …, or require(ok)), or use OpenZeppelin Address.sendValue / functionCall, which revert on failure.',
    example:
      'function payout(address payable winner) external {\n    winner.send(prize); // false on failure, ignored\n    paid[winner] = true;\n}',
  },
  // group: access and authorization
  {
    id: 'scan-tx-origin',
    title: 'Authorization by tx.origin',
    severity: 'high',
    blocking: true,
    swc: 'SWC-115',
    cwe: 'CWE-477',
    summary:
      'A condition compares tx.origin with an account (or looks it up in a role or allow list). tx.origin is the account that signed the transaction, not the caller: any contract that account is lured into calling passes the check and acts with its rights.',
    fix: 'Authorize msg.sender (or _msgSender()), e.g. with Ownable or AccessControl; keep tx.origin == msg.sender only to refuse contracts, never to grant rights.',
    example:
      'function withdrawAll(address to) external {\n    require(tx.origin == owner); // any contract the owner calls passes\n    ...',
  },
  // group: prices, tokens and arithmetic
  // group: signatures, loops and randomness
];
