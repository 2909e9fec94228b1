// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {VaultV2Views} from "../VaultV2.sol";

/// @title VaultV2AccessDropped — BAD PATCH: an access check dropped from a state-changing function.
/// @dev A refactor re-declares `setFeeRecipient` and forgets `onlyRole(DEFAULT_ADMIN_ROLE)`: anyone can
/// now redirect every flash-loan fee to themselves. Missing access control is the most common root cause
/// of DeFi losses year after year.
contract VaultV2AccessDropped is VaultV2Views {
    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    function setFeeRecipient(address recipient) public override {
        _setFeeRecipient(recipient);
    }
}
