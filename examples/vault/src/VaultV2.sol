// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IERC3156FlashBorrower} from "@openzeppelin/contracts/interfaces/IERC3156FlashBorrower.sol";
import {IERC3156FlashLender} from "@openzeppelin/contracts/interfaces/IERC3156FlashLender.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";
import {ERC4626Upgradeable} from "@openzeppelin/contracts-upgradeable/token/ERC20/extensions/ERC4626Upgradeable.sol";
import {AccessControlUpgradeable} from "@openzeppelin/contracts-upgradeable/access/AccessControlUpgradeable.sol";
import {PausableUpgradeable} from "@openzeppelin/contracts-upgradeable/utils/PausableUpgradeable.sol";

/// @title VaultV2Core — the logic of the fixed vault (everything but the integrator views).
/// @dev The fix for VaultV1's flash-deposit bug, in two independent layers:
/// 1. every entry point that moves assets (flashLoan, deposit, mint, withdraw, redeem) is `nonReentrant`,
///    so a borrower cannot deposit while its loan is outstanding;
/// 2. repayment is pulled with `safeTransferFrom(receiver → vault, amount + fee)` as ERC-3156
///    recommends, instead of being inferred from the vault's balance.
/// ReentrancyGuardTransient keeps its flag in transient storage: no storage slot, no layout change.
/// Storage: V1's variables in V1's order, then one new variable appended (`maxFlashLoanBps`), set by
/// `initializeV2` (reinitializer 2), which the upgrade calls through `upgradeAndCall`.
abstract contract VaultV2Core is
    Initializable,
    ERC4626Upgradeable,
    AccessControlUpgradeable,
    PausableUpgradeable,
    ReentrancyGuardTransient,
    IERC3156FlashLender
{
    using SafeERC20 for IERC20;

    bytes32 public constant GUARDIAN_ROLE = keccak256("GUARDIAN_ROLE");
    bytes32 internal constant CALLBACK_SUCCESS = keccak256("ERC3156FlashBorrower.onFlashLoan");
    uint256 public constant MAX_FLASH_FEE_BPS = 100;

    uint256 public flashFeeBps;
    address public feeRecipient;
    uint256 public totalFlashLoans;
    /// @notice New in V2: share of the idle assets one flash loan may take, in basis points.
    uint256 public maxFlashLoanBps;

    event FlashFeeUpdated(uint256 bps);
    event FeeRecipientUpdated(address indexed recipient);
    event FlashLoanServed(address indexed receiver, uint256 amount, uint256 fee);
    event MaxFlashLoanUpdated(uint256 bps);

    error UnsupportedToken(address token);
    error FlashFeeTooHigh(uint256 bps);
    error FlashLoanNotRepaid(uint256 balance, uint256 expected);
    error FlashLoanCallbackFailed();
    error FlashLoanTooLarge(uint256 amount, uint256 max);
    error InvalidBps(uint256 bps);
    error ZeroAddress();

    function initialize(IERC20 asset_, address admin, address guardian) public initializer {
        if (admin == address(0) || guardian == address(0)) revert ZeroAddress();
        __ERC20_init("Patchgate Vault tUSD", "pvUSD");
        __ERC4626_init(asset_);
        __AccessControl_init();
        __Pausable_init();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(GUARDIAN_ROLE, guardian);
        flashFeeBps = 5;
        feeRecipient = admin;
        maxFlashLoanBps = 5_000;
    }

    /// @notice Upgrade-time initialization of the state V2 adds (called by ProxyAdmin.upgradeAndCall).
    function initializeV2(uint256 maxFlashLoanBps_) public virtual reinitializer(2) {
        _setMaxFlashLoan(maxFlashLoanBps_);
    }

    // ---------------------------------------------------------------- administration

    function setFlashFee(uint256 bps) public virtual onlyRole(DEFAULT_ADMIN_ROLE) {
        if (bps > MAX_FLASH_FEE_BPS) revert FlashFeeTooHigh(bps);
        flashFeeBps = bps;
        emit FlashFeeUpdated(bps);
    }

    function setFeeRecipient(address recipient) public virtual onlyRole(DEFAULT_ADMIN_ROLE) {
        _setFeeRecipient(recipient);
    }

    function setMaxFlashLoan(uint256 bps) public virtual onlyRole(DEFAULT_ADMIN_ROLE) {
        _setMaxFlashLoan(bps);
    }

    function pause() external onlyRole(GUARDIAN_ROLE) {
        _pause();
    }

    function unpause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _unpause();
    }

    function _setFeeRecipient(address recipient) internal {
        if (recipient == address(0)) revert ZeroAddress();
        feeRecipient = recipient;
        emit FeeRecipientUpdated(recipient);
    }

    function _setMaxFlashLoan(uint256 bps) internal {
        if (bps == 0 || bps > 10_000) revert InvalidBps(bps);
        maxFlashLoanBps = bps;
        emit MaxFlashLoanUpdated(bps);
    }

    // ---------------------------------------------------------------- ERC-3156 flash loans

    function maxFlashLoan(address token) public view returns (uint256) {
        if (token != asset()) return 0;
        return (IERC20(token).balanceOf(address(this)) * maxFlashLoanBps) / 10_000;
    }

    function flashFee(address token, uint256 amount) public view returns (uint256) {
        if (token != asset()) revert UnsupportedToken(token);
        return (amount * flashFeeBps) / 10_000;
    }

    function flashLoan(IERC3156FlashBorrower receiver, address token, uint256 amount, bytes calldata data)
        external
        nonReentrant
        whenNotPaused
        returns (bool)
    {
        uint256 max = maxFlashLoan(token);
        if (amount > max) revert FlashLoanTooLarge(amount, max);
        uint256 fee = flashFee(token, amount);
        IERC20(token).safeTransfer(address(receiver), amount);
        if (receiver.onFlashLoan(msg.sender, token, amount, fee, data) != CALLBACK_SUCCESS) {
            revert FlashLoanCallbackFailed();
        }
        // FIX: pull the repayment from the borrower; a deposit can no longer stand in for it.
        IERC20(token).safeTransferFrom(address(receiver), address(this), amount + fee);
        if (fee > 0) IERC20(token).safeTransfer(feeRecipient, fee);
        totalFlashLoans += 1;
        emit FlashLoanServed(address(receiver), amount, fee);
        return true;
    }

    // ---------------------------------------------------------------- guarded ERC-4626 entry points

    function deposit(uint256 assets, address receiver) public virtual override nonReentrant returns (uint256) {
        return super.deposit(assets, receiver);
    }

    function mint(uint256 shares, address receiver) public virtual override nonReentrant returns (uint256) {
        return super.mint(shares, receiver);
    }

    function withdraw(uint256 assets, address receiver, address owner)
        public
        virtual
        override
        nonReentrant
        returns (uint256)
    {
        return super.withdraw(assets, receiver, owner);
    }

    function redeem(uint256 shares, address receiver, address owner)
        public
        virtual
        override
        nonReentrant
        returns (uint256)
    {
        return super.redeem(shares, receiver, owner);
    }

    function _deposit(address caller, address receiver, uint256 assets, uint256 shares)
        internal
        virtual
        override
        whenNotPaused
    {
        super._deposit(caller, receiver, assets, shares);
    }

    function _withdraw(address caller, address receiver, address owner, uint256 assets, uint256 shares)
        internal
        virtual
        override
        whenNotPaused
    {
        super._withdraw(caller, receiver, owner, assets, shares);
    }
}

/// @title VaultV2Views — the read-only functions integrators depend on.
abstract contract VaultV2Views is VaultV2Core {
    /// @notice Assets per share unit, read by lending markets that accept pvUSD as collateral.
    function sharePrice() external view returns (uint256) {
        return convertToAssets(10 ** decimals());
    }
}

/// @title VaultV2 — the correct patch for VaultV1.
contract VaultV2 is VaultV2Views {
    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }
}
