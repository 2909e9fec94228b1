// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {VaultV2Views} from "../VaultV2.sol";

/// @notice A per-account withdrawal limit, written as a reusable base contract with its own storage.
abstract contract WithdrawalLimits {
    uint256 public withdrawalLimit;
}

/// @title VaultV2StorageCollision — BAD PATCH: storage collision (Audius, July 2022).
/// @dev Listing `WithdrawalLimits` first in the inheritance puts its plain state variable in slot 0,
/// before V1's `flashFeeBps`, `feeRecipient`, `totalFlashLoans`: every existing variable shifts by one
/// slot and the vault reads the fee as the limit, the recipient as the fee, and so on. Audius lost $6M
/// when an upgrade made the proxy's admin slot overlap the implementation's initializer flag.
contract VaultV2StorageCollision is WithdrawalLimits, VaultV2Views {
    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }
}
