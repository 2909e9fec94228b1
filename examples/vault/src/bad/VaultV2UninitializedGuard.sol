// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {VaultV2Views} from "../VaultV2.sol";

/// @title VaultV2UninitializedGuard — BAD PATCH: new authorization state that nothing initializes
/// (Ronin bridge, August 2024).
/// @dev Adds a large-withdrawal approval: withdrawals above `largeWithdrawalThreshold` need the
/// `withdrawalApprover`'s sign-off. The new variables are appended (the layout is compatible) but no
/// reinitializer sets them, so on the live proxy the threshold is 0 and the check is skipped for every
/// withdrawal — the control exists on paper only. In August 2024 a Ronin bridge upgrade left a new
/// vote-weight variable uninitialized, which let withdrawals through without the required approvals ($12M).
contract VaultV2UninitializedGuard is VaultV2Views {
    /// @notice Withdrawals above this many assets need the approver's sign-off (0 disables the check).
    uint256 public largeWithdrawalThreshold;
    address public withdrawalApprover;
    mapping(address => uint256) public approvedWithdrawal;

    error WithdrawalNotApproved(address owner, uint256 assets);

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    function approveWithdrawal(address owner, uint256 assets) external {
        if (msg.sender != withdrawalApprover) revert WithdrawalNotApproved(owner, assets);
        approvedWithdrawal[owner] = assets;
    }

    function _withdraw(address caller, address receiver, address owner, uint256 assets, uint256 shares)
        internal
        override
    {
        if (largeWithdrawalThreshold != 0 && assets > largeWithdrawalThreshold) {
            if (approvedWithdrawal[owner] < assets) revert WithdrawalNotApproved(owner, assets);
            approvedWithdrawal[owner] = 0;
        }
        super._withdraw(caller, receiver, owner, assets, shares);
    }
}
