// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IERC3156FlashBorrower} from "@openzeppelin/contracts/interfaces/IERC3156FlashBorrower.sol";
import {IERC3156FlashLender} from "@openzeppelin/contracts/interfaces/IERC3156FlashLender.sol";
import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";
import {ERC4626Upgradeable} from "@openzeppelin/contracts-upgradeable/token/ERC20/extensions/ERC4626Upgradeable.sol";
import {AccessControlUpgradeable} from "@openzeppelin/contracts-upgradeable/access/AccessControlUpgradeable.sol";
import {PausableUpgradeable} from "@openzeppelin/contracts-upgradeable/utils/PausableUpgradeable.sol";

/// @title VaultV1 — the live version of the example protocol.
/// @notice An ERC-4626 vault over TestUSD that also lends its idle assets as ERC-3156 flash loans.
/// It sits behind a TransparentUpgradeableProxy whose ProxyAdmin is owned by a TimelockController
/// (1-hour minimum delay: emergency patches; standard patches are scheduled with 2 days) whose proposer is a 2-of-3 Safe. The timelock holds DEFAULT_ADMIN_ROLE; the guardian
/// holds GUARDIAN_ROLE and can only pause.
/// @dev THE BUG: `flashLoan` measures repayment as "the vault's token balance went back up", and
/// `deposit` is callable while a loan is outstanding. A borrower "repays" by depositing the borrowed
/// tokens, which also mints it shares; after the loan it redeems those shares and walks away with the
/// depositors' assets. See exploit/FlashDepositExploit.sol; VaultV2 fixes it.
contract VaultV1 is Initializable, ERC4626Upgradeable, AccessControlUpgradeable, PausableUpgradeable, IERC3156FlashLender {
    using SafeERC20 for IERC20;

    bytes32 public constant GUARDIAN_ROLE = keccak256("GUARDIAN_ROLE");
    bytes32 internal constant CALLBACK_SUCCESS = keccak256("ERC3156FlashBorrower.onFlashLoan");
    uint256 public constant MAX_FLASH_FEE_BPS = 100;

    /// @notice Flash-loan fee in basis points of the amount borrowed.
    uint256 public flashFeeBps;
    /// @notice Receives flash-loan fees.
    address public feeRecipient;
    /// @notice Number of flash loans served (integrators and dashboards read it).
    uint256 public totalFlashLoans;

    event FlashFeeUpdated(uint256 bps);
    event FeeRecipientUpdated(address indexed recipient);
    event FlashLoanServed(address indexed receiver, uint256 amount, uint256 fee);

    error UnsupportedToken(address token);
    error FlashFeeTooHigh(uint256 bps);
    error FlashLoanNotRepaid(uint256 balance, uint256 expected);
    error FlashLoanCallbackFailed();
    error ZeroAddress();

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    function initialize(IERC20 asset_, address admin, address guardian) external initializer {
        if (admin == address(0) || guardian == address(0)) revert ZeroAddress();
        __ERC20_init("Patchgate Vault tUSD", "pvUSD");
        __ERC4626_init(asset_);
        __AccessControl_init();
        __Pausable_init();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(GUARDIAN_ROLE, guardian);
        flashFeeBps = 5;
        feeRecipient = admin;
    }

    // ---------------------------------------------------------------- administration

    function setFlashFee(uint256 bps) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (bps > MAX_FLASH_FEE_BPS) revert FlashFeeTooHigh(bps);
        flashFeeBps = bps;
        emit FlashFeeUpdated(bps);
    }

    function setFeeRecipient(address recipient) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (recipient == address(0)) revert ZeroAddress();
        feeRecipient = recipient;
        emit FeeRecipientUpdated(recipient);
    }

    /// @notice The guardian's only power.
    function pause() external onlyRole(GUARDIAN_ROLE) {
        _pause();
    }

    function unpause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _unpause();
    }

    // ---------------------------------------------------------------- views for integrators

    /// @notice Assets per 1e6 shares (1 share unit), read by lending markets that accept pvUSD as collateral.
    function sharePrice() external view returns (uint256) {
        return convertToAssets(10 ** decimals());
    }

    // ---------------------------------------------------------------- ERC-3156 flash loans

    function maxFlashLoan(address token) public view returns (uint256) {
        return token == asset() ? IERC20(token).balanceOf(address(this)) : 0;
    }

    function flashFee(address token, uint256 amount) public view returns (uint256) {
        if (token != asset()) revert UnsupportedToken(token);
        return (amount * flashFeeBps) / 10_000;
    }

    function flashLoan(IERC3156FlashBorrower receiver, address token, uint256 amount, bytes calldata data)
        external
        whenNotPaused
        returns (bool)
    {
        uint256 fee = flashFee(token, amount);
        uint256 balanceBefore = IERC20(token).balanceOf(address(this));
        IERC20(token).safeTransfer(address(receiver), amount);
        if (receiver.onFlashLoan(msg.sender, token, amount, fee, data) != CALLBACK_SUCCESS) {
            revert FlashLoanCallbackFailed();
        }
        // BUG: a deposit made inside onFlashLoan raises the balance too, so it counts as repayment.
        uint256 balanceAfter = IERC20(token).balanceOf(address(this));
        if (balanceAfter < balanceBefore + fee) revert FlashLoanNotRepaid(balanceAfter, balanceBefore + fee);
        if (fee > 0) IERC20(token).safeTransfer(feeRecipient, fee);
        totalFlashLoans += 1;
        emit FlashLoanServed(address(receiver), amount, fee);
        return true;
    }

    // ---------------------------------------------------------------- pausable deposits and withdrawals

    function _deposit(address caller, address receiver, uint256 assets, uint256 shares)
        internal
        override
        whenNotPaused
    {
        super._deposit(caller, receiver, assets, shares);
    }

    function _withdraw(address caller, address receiver, address owner, uint256 assets, uint256 shares)
        internal
        override
        whenNotPaused
    {
        super._withdraw(caller, receiver, owner, assets, shares);
    }
}
