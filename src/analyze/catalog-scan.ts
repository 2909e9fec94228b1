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
  {
    id: 'scan-unprotected-function',
    title: 'Privileged function anyone can call',
    severity: 'high',
    blocking: true,
    swc: 'SWC-105',
    cwe: 'CWE-284',
    summary:
      "A public or external function has no access guard and does something only the protocol's operators should: sets an owner, admin, role, fee, oracle or implementation variable to a value the caller chooses, grants a role, upgrades, selfdestructs, mints without payment, sends the contract's funds to an address the caller chooses, or re-runs an initializer. Anyone can take that power (Parity's initWallet, public mint, setOracle without a modifier). Raised to critical when it hands over control, funds or the supply.",
    fix: "Guard the function (onlyOwner, onlyRole, a caller check against trusted state), or make an initializer run once with OpenZeppelin Initializable's initializer modifier and _disableInitializers() in the constructor.",
    example:
      'function setOracle(address next) external {\n    oracle = IOracle(next); // no onlyOwner: anyone picks the price source\n}',
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
  {
    id: 'scan-signature-no-nonce',
    title: 'Signature can be replayed (no nonce)',
    severity: 'high',
    blocking: true,
    swc: 'SWC-121',
    cwe: 'CWE-294',
    summary:
      'A signature authorizes a state change, but its digest holds no nonce the function consumes and the function records no use of it (a used digest, a claimed flag keyed by what was signed). Anyone who has seen the signature once submits it again: the transfer, mint or withdrawal runs as often as they like.',
    fix: "Put a per-signer nonce in the digest and consume it in the same call (OpenZeppelin Nonces' _useNonce), or record the digest as used before acting.",
    example:
      'bytes32 digest = keccak256(abi.encode(to, amount, block.chainid, address(this)));\nrequire(ECDSA.recover(digest, sig) == signer); // no nonce: replayable\n_mint(to, amount);',
  },
  {
    id: 'scan-signature-no-chain-id',
    title: 'Signature valid on every chain (no chain id)',
    severity: 'high',
    blocking: true,
    swc: 'SWC-121',
    cwe: 'CWE-294',
    summary:
      'A signed digest is built without block.chainid, directly or through an EIP-712 domain separator. The same signature is valid wherever the contract lives at the same address: another L2, a testnet deployment, a fork of the chain (ETHPoW after the Merge).',
    fix: "Sign EIP-712 typed data with OpenZeppelin's EIP712 (_hashTypedDataV4: its domain separator holds the chain id and this contract's address, recomputed after a fork), or include block.chainid in the digest.",
    example:
      'bytes32 digest = keccak256(abi.encode(to, amount, nonce, address(this))); // no block.chainid\nrequire(ecrecover(digest, v, r, s) == signer);',
  },
  {
    id: 'scan-ecrecover-zero',
    title: 'ecrecover result compared with an account that can be zero',
    severity: 'high',
    blocking: true,
    swc: 'SWC-117',
    cwe: 'CWE-347',
    summary:
      'Raw ecrecover returns address(0) for an invalid signature instead of reverting. Its result is compared with an account that can itself be zero (an unset signer, a missing mapping entry, an owner the caller passes) and zero is never ruled out: while that account is zero, any garbage signature passes.',
    fix: "Use OpenZeppelin's ECDSA.recover (it reverts on an invalid signature), or require the recovered address to be non-zero.",
    example:
      'address signer_ = ecrecover(digest, v, r, s);\nrequire(signer_ == signer); // signer unset: ecrecover(garbage) == address(0) == signer',
  },
  {
    id: 'scan-signature-malleable',
    title: 'Malleable signature used as the replay record',
    severity: 'high',
    blocking: true,
    swc: 'SWC-117',
    cwe: 'CWE-347',
    summary:
      'Raw ecrecover accepts (r, s) and (r, n - s) for the same message, and the function records the signature itself (used[keccak256(sig)]) as the proof of use. Flipping s gives a second valid signature the record has not seen: the action runs twice.',
    fix: "Use OpenZeppelin's ECDSA.recover (rejects s above n/2) and record the digest or a nonce as used, never the signature bytes.",
    example:
      'require(!usedSig[keccak256(sig)]);\nrequire(ecrecover(digest, v, r, s) == signer); // (r, n - s, v ^ 1) also recovers signer\nusedSig[keccak256(sig)] = true;',
  },
  {
    id: 'scan-unbounded-loop',
    title: 'Loop over an array anyone can grow',
    severity: 'medium',
    blocking: false,
    swc: 'SWC-128',
    cwe: 'CWE-400',
    summary:
      'A state-changing function loops over a whole storage array that any caller can append to (a push reachable from an unguarded public function, with no cap). Once the array is long enough the loop needs more gas than a block holds and the function can never run again: payouts, distributions or round resets are stuck (GovernMental, distribute-to-all-holders).',
    fix: 'Process the array in pages (start, count) with progress kept in storage, cap its length where it grows, or let each user pull what is theirs instead of pushing to all.',
    example:
      'function register() external { holders.push(msg.sender); }\nfunction distribute() external {\n    for (uint256 i = 0; i < holders.length; ++i) { ... } // grows without bound\n}',
  },
  {
    id: 'scan-timestamp-randomness',
    title: 'Randomness from block values',
    severity: 'high',
    blocking: true,
    swc: 'SWC-120',
    cwe: 'CWE-330',
    summary:
      'An outcome (a winner, a rarity, a payout) is drawn from block.timestamp, block.number, blockhash or block.prevrandao: hashed then reduced or compared, or taken modulo and tested. A validator can choose or withhold these values, and any contract can compute the result in the same transaction and call only when it wins.',
    fix: 'Take randomness from a verifiable source delivered after the bet is fixed (Chainlink VRF or a commit-reveal scheme), never from values of the block that carries the call.',
    example:
      'uint256 i = uint256(keccak256(abi.encodePacked(block.timestamp, block.prevrandao))) % players.length;\nwinner = players[i]; // computable by a contract before it enters',
  },
  // group: read-only reentrancy, arbitrary calls, msg.value in loops
  {
    id: 'scan-reentrancy-read-only',
    title: 'Price view readable while a call leaves its state half-updated',
    severity: 'high',
    blocking: true,
    swc: 'SWC-107',
    cwe: 'CWE-841',
    summary:
      "A view that prices something (get_virtual_price, getRate, totalAssets, convertToAssets, a price, rate or ratio) returns a value computed from state that a function anyone can call updates only after a call that can re-enter (an ether send, a token callback). From inside that call, another protocol reads the view and lends or pays against a wrong price; a lock on the state-changing function does not cover the view (Curve/Balancer read-only reentrancy: dForce, Midas, Sentiment, Conic, 2022-2023). Also, at medium, a consumer that reads a Curve or Balancer pool price without the pool's reentrancy probe.",
    fix: "Update the state before the call; make the view refuse to run mid-call (OpenZeppelin nonReentrantView, or require(!_reentrancyGuardEntered())) with the state-changing function under nonReentrant. As a consumer, call the pool's reentrancy probe (Curve remove_liquidity(0, ...), Balancer ensureNotInVaultContext) before reading its price.",
    example:
      'function removeLiquidity(uint256 lp) external nonReentrant {\n    uint256 out = lp * reserve / totalSupply;\n    totalSupply -= lp;\n    (bool ok, ) = msg.sender.call{value: out}(""); // the callee reads getVirtualPrice() here\n    require(ok);\n    reserve -= out; // too late: the price was inflated during the call\n}\nfunction getVirtualPrice() external view returns (uint256) { return reserve * 1e18 / totalSupply; }',
  },
  {
    id: 'scan-arbitrary-call',
    title: 'Call target and calldata chosen by the caller',
    severity: 'high',
    blocking: true,
    cwe: 'CWE-441',
    summary:
      'A function anyone can call makes a low-level call whose target and calldata both come from its parameters (or pulls tokens with transferFrom from an account the caller names), with no allow list, signature or from == msg.sender check on them. The contract acts as a confused deputy: the caller makes it call token.transferFrom(victim, attacker, amount) and spends every approval users gave it (Li.Fi 2022 and 2024, Dexible 2023, Socket/Bungee 2024, Transit Swap 2022).',
    fix: 'Allow-list the targets (and selectors) the contract may call, build the calldata yourself around a fixed selector, pull tokens only from msg.sender, and never forward user calldata from a contract that holds approvals.',
    example:
      'function swap(address router, bytes calldata data) external {\n    (bool ok, ) = router.call(data); // router = the token, data = transferFrom(victim, caller, all)\n    require(ok);\n}',
  },
  {
    id: 'scan-arbitrary-delegatecall',
    title: 'Delegatecall to a target chosen by the caller',
    severity: 'critical',
    blocking: true,
    swc: 'SWC-112',
    cwe: 'CWE-829',
    summary:
      "A function anyone can call delegatecalls a target that comes from its parameters, with no allow-list check. The caller's code runs as this contract, with its storage and balance: it takes ownership, rewrites the implementation slot or sends everything away.",
    fix: 'Delegatecall only to targets the contract fixes or an admin allow-lists (a registry checked before the call), never to an address the caller passes.',
    example:
      "function execute(address handler, bytes calldata data) external {\n    (bool ok, ) = handler.delegatecall(data); // handler runs with this contract's storage\n    require(ok);\n}",
  },
  {
    id: 'scan-msg-value-loop',
    title: 'msg.value read inside a loop',
    severity: 'high',
    blocking: true,
    cwe: 'CWE-837',
    summary:
      'Code a payable function runs reads msg.value inside a loop, directly, in a function the loop calls, or through a payable batch that delegatecalls the contract itself once per item. Every iteration sees the whole amount sent once, so one payment is counted once per iteration (Opyn 2020: every vault exercised against the same msg.value; SushiSwap MISO 2021: batch(commitEth, commitEth, ...)).',
    fix: 'Read msg.value once: sum what the items cost inside the loop and compare the total with msg.value after it; do not make a batch that delegatecalls the contract payable, or keep msg.value out of the functions it can call.',
    example:
      'function exercise(uint256[] calldata vaults, uint256 amount) external payable {\n    for (uint256 i = 0; i < vaults.length; i++) {\n        require(msg.value == amount); // the same ether pays for every vault\n        _exercise(vaults[i], amount);\n    }\n}',
  },
];
