/**
 * Catalogue entries of the scan's detectors (src/analyze/scan/detectors/, one file each): what each finds, its
 * SWC and CWE where one exists, and the fix. Severity is the detector's usual one (a hit may raise or lower it);
 * `blocking` says whether a hit at that severity blocks when the patch introduces it (high and critical do).
 * Grouped like the registry, so that detectors written side by side add to their own group's lines.
 */
import type { CatalogEntry } from './catalog-entry.js';

export const SCAN_ENTRIES: CatalogEntry[] = [
  // group: calls and reentrancy
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
  {
    id: 'scan-unchecked-erc20',
    title: 'ERC-20 transfer result ignored',
    severity: 'high',
    blocking: true,
    swc: 'SWC-104',
    cwe: 'CWE-252',
    summary:
      'transfer, transferFrom or approve is called on an ERC-20 and the bool it returns is dropped. Tokens that return false instead of reverting (ZRX, BAT, FORCE, many bridged tokens) then "succeed": a deposit is credited without the tokens arriving, a payout is recorded as paid.',
    fix: "Use OpenZeppelin's SafeERC20 (safeTransfer, safeTransferFrom, forceApprove), which reverts on false and also accepts tokens like USDT that return nothing.",
    example:
      'function enter(uint256 amount) external {\n    _mint(msg.sender, sharesFor(amount));\n    force.transferFrom(msg.sender, address(this), amount); // false is ignored\n}',
  },
  {
    id: 'scan-spot-price',
    title: 'Amount decided from a manipulable spot price',
    severity: 'high',
    blocking: true,
    cwe: 'CWE-682',
    summary:
      "A state-changing function decides what to mint, lend, liquidate or pay out from a pool's current price: getReserves(), slot0(), a router's getAmountsOut quote, or a ratio of the pool's token balances. A flash loan moves that price inside the transaction (Harvest Finance, Cheese Bank, Warp Finance, bZx, Inverse Finance).",
    fix: 'Price from a source one transaction cannot move: a Chainlink feed checked for a positive, fresh answer, or a time-weighted average (Uniswap V3 observe over a window of at least 30 minutes); value LP tokens with the fair-reserves formula.',
    example:
      'function borrow(uint256 amount) external {\n    (uint112 r0, uint112 r1,) = pair.getReserves();\n    uint256 value = deposited[msg.sender] * r1 / r0; // moved by a flash-loan swap\n    ...',
  },
  {
    id: 'scan-erc4626-inflation',
    title: 'Vault share price inflatable by a donation',
    severity: 'high',
    blocking: true,
    cwe: 'CWE-1339',
    summary:
      "Shares are priced from the vault's own token balance (balanceOf(address(this)), directly or through totalAssets()/getCash()) with no virtual offset and no dead shares: donating to the empty vault inflates the share price so the next deposit rounds to 0 shares and the donor takes it (Sonne, Hundred, Onyx, ResupplyFi). OpenZeppelin's ERC4626 with _decimalsOffset() = 0 and no seeding deposit is reported at low: griefing, not theft.",
    fix: 'Add a virtual offset (OpenZeppelin ERC4626 with _decimalsOffset() > 0, or totalSupply() + 10 ** offset and totalAssets() + 1), or mint dead shares with a first deposit at deployment; or account assets internally instead of reading the balance.',
    example:
      'function deposit(uint256 assets) external {\n    uint256 shares = totalSupply() == 0 ? assets : assets * totalSupply() / asset.balanceOf(address(this));\n    ...',
  },
  {
    id: 'scan-divide-before-multiply',
    title: 'Division before multiplication',
    severity: 'medium',
    blocking: false,
    cwe: 'CWE-1339',
    summary:
      'An integer division is multiplied afterwards ((a / b) * c, directly or through a local): the truncation of the division is multiplied too, so reward, fee and interest amounts lose precision or round to 0 for small stakes.',
    fix: 'Multiply first and divide last (a * c / b), or use Math.mulDiv(a, c, b) for full precision without overflow.',
    example: 'uint256 reward = (stake / totalStaked) * rewardPool; // 0 for every stake below totalStaked',
  },
  {
    id: 'scan-unsafe-downcast',
    title: 'Unchecked narrowing conversion',
    severity: 'medium',
    blocking: false,
    swc: 'SWC-101',
    cwe: 'CWE-681',
    summary:
      'An explicit conversion to a narrower integer (uint96(x), uint128(x), int24(x)) of a value nothing keeps in range. Solidity 0.8 checks arithmetic, not conversions: the value silently loses its high bits — a withdrawal of 2**96 + 1 checked as 1 (Compound/Cream-style packed balances). High when the caller chooses the value.',
    fix: "Use OpenZeppelin's SafeCast (toUint96, toUint128, …), which reverts when the value does not fit, or check x <= type(uint96).max first.",
    example: 'balances[msg.sender] -= uint96(amount); // 2**96 + 1 becomes 1',
  },
  {
    id: 'scan-missing-slippage',
    title: 'Swap without a slippage bound',
    severity: 'high',
    blocking: true,
    cwe: 'CWE-20',
    summary:
      'A swap or liquidity call passes a minimum-out of 0 (amountOutMin, amountOutMinimum, amountAMin/amountBMin, min_dy) or a maximum-in of type(uint256).max: any searcher sandwiches the transaction and keeps the difference.',
    fix: 'Take the minimum-out (or maximum-in) from the caller, computed off chain from a quote and a slippage tolerance; a minimum computed on chain from the spot quote protects nothing.',
    example:
      'router.swapExactTokensForTokens(rewards, 0, path, address(this), block.timestamp); // amountOutMin = 0',
  },
  {
    id: 'scan-missing-deadline',
    title: 'Swap deadline that never expires',
    severity: 'low',
    blocking: false,
    cwe: 'CWE-20',
    summary:
      'A swap or liquidity call passes a deadline of block.timestamp (plus anything) or type(uint256).max: it always passes, so a transaction held back by a validator or stuck in the mempool executes later, at a price the sender no longer wants (within its slippage bound).',
    fix: 'Take the deadline from the caller (set off chain, e.g. now + 10 minutes) and pass it through.',
    example: 'router.swapExactTokensForTokens(amountIn, minOut, path, to, block.timestamp); // always "now"',
  },
  // group: signatures, loops and randomness
];
