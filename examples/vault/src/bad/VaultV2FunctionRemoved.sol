// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {VaultV2Core} from "../VaultV2.sol";

/// @title VaultV2FunctionRemoved — BAD PATCH: a public function integrators call is removed.
/// @dev Builds on the V2 logic without `sharePrice()`. Lending markets that price pvUSD collateral through
/// `sharePrice()` start reverting the moment the upgrade executes: liquidations stop, positions freeze.
contract VaultV2FunctionRemoved is VaultV2Core {
    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }
}
