// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {VaultV2Views} from "../VaultV2.sol";

/// @title VaultV2RevertingInit — BAD PATCH: statically sound, but its upgrade initializer reverts.
/// @dev A copy-paste slip bounds `maxFlashLoanBps` by the fee cap (100) instead of 10,000, so the real
/// upgrade (`initializeV2(5000)`) reverts inside `upgradeAndCall`: the timelock operation fails at
/// execution, after the review window. No static check sees it; `patchgate simulate` does.
contract VaultV2RevertingInit is VaultV2Views {
    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    function initializeV2(uint256 maxFlashLoanBps_) public override reinitializer(2) {
        if (maxFlashLoanBps_ > MAX_FLASH_FEE_BPS) revert InvalidBps(maxFlashLoanBps_);
        _setMaxFlashLoan(maxFlashLoanBps_);
    }
}
