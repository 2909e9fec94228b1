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
/// @notice Three jobs, one small contract:
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
///    `PatchExecuted` with patchgate's patch digest and lane: the on-chain link from an upgrade to its log entry.
///
/// 3. **Policy.** PatchGate is deployed with the hash of the approval policy (`policyHash`: the config's
///    `policy` section, canonical JSON, defaults applied) and the lanes it opens (`allowedLanes`). Each upgrade
///    call names the lane of its patch and the policy hash it was planned under; PatchGate refuses another
///    policy (`PolicyMismatch`) and a lane the policy keeps closed (`LaneNotAllowed`) before anything else.
///    A policy is changed by deploying a new PatchGate and moving the upgrade rights to it through the timelock.
///
/// What PatchGate does NOT do: it trusts its controller. Whatever the timelock is made to call (by the
/// Safe's owners, after the delay) PatchGate performs, including handing ownership of a ProxyAdmin back.
/// It checks the implementation's code, not what that code or the initializer `data` does. It cannot see the
/// timelock delay an operation waited, the approvals behind it, or whether the patch's severity entitles it to
/// the lane it names: the lane and the policy hash are what the Safe's owners scheduled, and PatchGate only
/// refuses a lane that its policy closes and a call planned under another policy.
contract PatchGate {
    /// @notice Lane numbers as the upgrade functions take them; lane `n` is open when bit `n` of `allowedLanes` is set.
    uint8 public constant LANE_STANDARD = 0;
    uint8 public constant LANE_EMERGENCY = 1;
    /// @notice Every bit a lane mask may hold (standard and emergency).
    uint8 private constant KNOWN_LANES = 3;

    /// @notice `keccak256("")`: the EXTCODEHASH of an account that exists but holds no code.
    bytes32 private constant EMPTY_CODEHASH = 0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470;

    /// @notice The only caller of the upgrade and ownership functions: the TimelockController.
    address public immutable controller;
    /// @notice The only caller of `anchor`: the address that signs the log's tree heads.
    address public immutable anchorer;
    /// @notice The hash of the approval policy PatchGate was deployed with (patchgate's `policyCommitment`).
    bytes32 public immutable policyHash;
    /// @notice The lanes that policy opens, one bit per lane: bit 0 (1) standard, always set; bit 1 (2) emergency.
    uint8 public immutable allowedLanes;
    /// @notice The largest log size anchored so far (0 before the first anchor).
    uint256 public anchoredSize;

    /// @notice A signed tree head of the log: `size` entries whose RFC 9162 Merkle root is `root`.
    event HeadAnchored(uint256 indexed size, bytes32 root, address indexed by);
    /// @notice `proxy` now runs `implementation`, whose runtime code hashed to `codehash` when it was checked;
    /// `digest` is the patch digest that signers approved and the log recorded (docs/digest.md); `lane` is the
    /// patch's lane (`LANE_STANDARD`, `LANE_EMERGENCY`).
    event PatchExecuted(
        address indexed proxy, address indexed implementation, bytes32 codehash, bytes32 indexed digest, uint8 lane
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
    /// @notice The call was planned under policy `given`, but PatchGate was deployed with policy `expected`.
    error PolicyMismatch(bytes32 expected, bytes32 given);
    /// @notice The deployed policy does not open `lane` (or there is no such lane).
    error LaneNotAllowed(uint8 lane);
    /// @notice A lane mask without the standard lane, or with bits for lanes that do not exist.
    error InvalidLanes(uint8 allowedLanes);

    modifier onlyController() {
        if (msg.sender != controller) revert NotController(msg.sender);
        _;
    }

    /// @param controller_ the TimelockController that executes approved patches.
    /// @param anchorer_ the log's head signer (an EOA or a contract) that anchors tree heads.
    /// @param policyHash_ the hash of the approval policy (patchgate's `policyCommitment(config.policy).hash`).
    /// @param allowedLanes_ the lanes that policy opens: 1 (standard only) or 3 (standard and emergency).
    constructor(address controller_, address anchorer_, bytes32 policyHash_, uint8 allowedLanes_) {
        if (controller_ == address(0) || anchorer_ == address(0)) revert ZeroAddress();
        if (allowedLanes_ & (uint8(1) << LANE_STANDARD) == 0 || allowedLanes_ & ~KNOWN_LANES != 0) {
            revert InvalidLanes(allowedLanes_);
        }
        controller = controller_;
        anchorer = anchorer_;
        policyHash = policyHash_;
        allowedLanes = allowedLanes_;
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
    /// Any ETH sent is forwarded to the proxy with the call. `lane` and `plannedPolicy` are the patch's lane and
    /// the policy hash it was planned under: checked against the deployed policy first.
    function upgradeTransparent(
        address proxyAdmin,
        address proxy,
        address implementation,
        bytes32 codehash,
        bytes calldata data,
        bytes32 digest,
        uint8 lane,
        bytes32 plannedPolicy
    ) external payable onlyController {
        _checkPolicy(lane, plannedPolicy);
        _checkCode(implementation, codehash);
        IProxyAdminV5(proxyAdmin).upgradeAndCall{value: msg.value}(proxy, implementation, data);
        emit PatchExecuted(proxy, implementation, codehash, digest, lane);
    }

    /// @notice Upgrades the UUPS `proxy` (whose implementation authorizes PatchGate in `_authorizeUpgrade`) to
    /// `implementation`, then calls it with `data`, once its code hashes to `codehash`; `lane` and `plannedPolicy`
    /// as in `upgradeTransparent`.
    function upgradeUups(
        address proxy,
        address implementation,
        bytes32 codehash,
        bytes calldata data,
        bytes32 digest,
        uint8 lane,
        bytes32 plannedPolicy
    ) external payable onlyController {
        _checkPolicy(lane, plannedPolicy);
        _checkCode(implementation, codehash);
        IUUPSUpgradeable(proxy).upgradeToAndCall{value: msg.value}(implementation, data);
        emit PatchExecuted(proxy, implementation, codehash, digest, lane);
    }

    /// @notice Hands ownership of `target` (a ProxyAdmin, or an Ownable UUPS contract) to `newOwner`: how a
    /// team leaves PatchGate, through the same timelock as any upgrade.
    function releaseOwnership(address target, address newOwner) external onlyController {
        if (newOwner == address(0)) revert ZeroAddress();
        IOwnable(target).transferOwnership(newOwner);
        emit OwnershipReleased(target, newOwner);
    }

    /// @dev The policy first (the call was planned under the deployed policy), then the lane (that policy opens
    /// it). A lane above `LANE_EMERGENCY` is no lane: its bit is outside `KNOWN_LANES`, never set.
    function _checkPolicy(uint8 lane, bytes32 plannedPolicy) private view {
        if (plannedPolicy != policyHash) revert PolicyMismatch(policyHash, plannedPolicy);
        if (lane > LANE_EMERGENCY || (allowedLanes >> lane) & 1 == 0) revert LaneNotAllowed(lane);
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
