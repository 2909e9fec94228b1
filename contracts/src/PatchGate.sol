// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @dev The one function of an OpenZeppelin v5 ProxyAdmin that PatchGate calls to upgrade a transparent proxy
/// (v5 has no `upgrade`: `upgradeAndCall` with empty `data` is a plain upgrade).
interface IProxyAdminV5 {
    function upgradeAndCall(address proxy, address implementation, bytes calldata data) external payable;
}

/// @dev The upgrade entry point of a UUPS implementation (ERC-1822 / OpenZeppelin `UUPSUpgradeable`), reached
/// through its ERC1967Proxy.
interface IUUPSUpgradeable {
    function upgradeToAndCall(address implementation, bytes calldata data) external payable;
}

/// @dev OpenZeppelin `Ownable`: a ProxyAdmin, or a UUPS contract whose `_authorizeUpgrade` is `onlyOwner`.
interface IOwnable {
    function transferOwnership(address newOwner) external;
}

/// @title PatchGate — patchgate's on-chain anchor and upgrade gate.
/// @notice Two jobs, one small contract:
///
/// 1. **Anchor.** The transparency log's signer (`anchorer`) records signed tree heads as `HeadAnchored`
///    events. Sizes only grow: each size is anchored at most once, so the chain never holds two roots for
///    one size of the log. A reader compares the anchored root with the log's own head for that size.
///
/// 2. **Gate.** PatchGate sits between the TimelockController (`controller`) and the upgrade: it owns the
///    ProxyAdmin of a transparent proxy, or is the owner that a UUPS implementation's `_authorizeUpgrade`
///    accepts. The timelock calls `upgradeTransparent` / `upgradeUups` with the codehash that signers
///    approved; PatchGate refuses an implementation whose runtime code hashes to anything else, even when it
///    sits at the approved address (a metamorphic contract re-deployed there with CREATE2 after a
///    SELFDESTRUCT, or an address that never held the approved code), then upgrades and emits
///    `PatchExecuted` with patchgate's patch digest: the on-chain link from an upgrade to its log entry.
///
/// What PatchGate does NOT do: it trusts its controller. Whatever the timelock is made to call (by the
/// Safe's owners, after the delay) PatchGate performs, including handing ownership of a ProxyAdmin back.
/// It checks the implementation's code, not what that code or the initializer `data` does.
contract PatchGate {
    /// @notice `keccak256("")`: the EXTCODEHASH of an account that exists but holds no code.
    bytes32 private constant EMPTY_CODEHASH = 0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470;

    /// @notice The only caller of the upgrade and ownership functions: the TimelockController.
    address public immutable controller;
    /// @notice The only caller of `anchor`: the address that signs the log's tree heads.
    address public immutable anchorer;
    /// @notice The largest log size anchored so far (0 before the first anchor).
    uint256 public anchoredSize;

    /// @notice A signed tree head of the log: `size` entries whose RFC 9162 Merkle root is `root`.
    event HeadAnchored(uint256 indexed size, bytes32 root, address indexed by);
    /// @notice `proxy` now runs `implementation`, whose runtime code hashed to `codehash` when it was checked;
    /// `digest` is the patch digest that signers approved and the log recorded (docs/digest.md).
    event PatchExecuted(
        address indexed proxy, address indexed implementation, bytes32 codehash, bytes32 indexed digest
    );
    /// @notice PatchGate gave up ownership of `target` (a ProxyAdmin, an Ownable UUPS contract) to `newOwner`.
    event OwnershipReleased(address indexed target, address indexed newOwner);

    error NotController(address caller);
    error NotAnchorer(address caller);
    /// @notice `size` is not larger than the last anchored size `anchored`: the log only grows.
    error HeadNotAppendOnly(uint256 size, uint256 anchored);
    /// @notice The implementation's runtime code is not the approved code.
    error CodehashMismatch(address implementation, bytes32 expected, bytes32 actual);
    /// @notice The implementation holds no code at all (nothing was deployed there, or it was destroyed).
    error NoCode(address implementation);
    error ZeroAddress();

    modifier onlyController() {
        if (msg.sender != controller) revert NotController(msg.sender);
        _;
    }

    /// @param controller_ the TimelockController that executes approved patches.
    /// @param anchorer_ the log's head signer (an EOA or a contract) that anchors tree heads.
    constructor(address controller_, address anchorer_) {
        if (controller_ == address(0) || anchorer_ == address(0)) revert ZeroAddress();
        controller = controller_;
        anchorer = anchorer_;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Anchor
    // ---------------------------------------------------------------------------------------------------------

    /// @notice Records the log head (`size`, `root`). `size` must exceed every size anchored before, so the
    /// empty log (size 0) is never anchored and a head cannot be re-anchored with another root.
    function anchor(uint256 size, bytes32 root) external {
        if (msg.sender != anchorer) revert NotAnchorer(msg.sender);
        uint256 anchored = anchoredSize;
        if (size <= anchored) revert HeadNotAppendOnly(size, anchored);
        anchoredSize = size;
        emit HeadAnchored(size, root, msg.sender);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Gate
    // ---------------------------------------------------------------------------------------------------------

    /// @notice Upgrades the transparent `proxy` through its OpenZeppelin v5 `proxyAdmin` (owned by PatchGate)
    /// to `implementation`, then calls it with `data` (empty: no call), once its code hashes to `codehash`.
    /// Any ETH sent is forwarded to the proxy with the call.
    function upgradeTransparent(
        address proxyAdmin,
        address proxy,
        address implementation,
        bytes32 codehash,
        bytes calldata data,
        bytes32 digest
    ) external payable onlyController {
        _checkCode(implementation, codehash);
        IProxyAdminV5(proxyAdmin).upgradeAndCall{value: msg.value}(proxy, implementation, data);
        emit PatchExecuted(proxy, implementation, codehash, digest);
    }

    /// @notice Upgrades the UUPS `proxy` (whose implementation authorizes PatchGate in `_authorizeUpgrade`) to
    /// `implementation`, then calls it with `data`, once its code hashes to `codehash`.
    function upgradeUups(
        address proxy,
        address implementation,
        bytes32 codehash,
        bytes calldata data,
        bytes32 digest
    ) external payable onlyController {
        _checkCode(implementation, codehash);
        IUUPSUpgradeable(proxy).upgradeToAndCall{value: msg.value}(implementation, data);
        emit PatchExecuted(proxy, implementation, codehash, digest);
    }

    /// @notice Hands ownership of `target` (a ProxyAdmin, or an Ownable UUPS contract) to `newOwner`: how a
    /// team leaves PatchGate, through the same timelock as any upgrade.
    function releaseOwnership(address target, address newOwner) external onlyController {
        if (newOwner == address(0)) revert ZeroAddress();
        IOwnable(target).transferOwnership(newOwner);
        emit OwnershipReleased(target, newOwner);
    }

    /// @dev EXTCODEHASH is read at execution time, in the same transaction as the upgrade: no code can be
    /// swapped in between (post-Cancun SELFDESTRUCT only clears a contract created in the same transaction).
    function _checkCode(address implementation, bytes32 expected) private view {
        bytes32 actual = implementation.codehash;
        // 0: no account there; keccak256(""): an account without code. Neither can be an approved build.
        if (actual == bytes32(0) || actual == EMPTY_CODEHASH) revert NoCode(implementation);
        if (actual != expected) revert CodehashMismatch(implementation, expected, actual);
    }
}
