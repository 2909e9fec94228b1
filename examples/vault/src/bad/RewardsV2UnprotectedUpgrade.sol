// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {RewardsV2Core} from "../RewardsV2.sol";

/// @title RewardsV2UnprotectedUpgrade — BAD PATCH: UUPS `_authorizeUpgrade` without a guard.
/// @dev The override lost `onlyOwner` — the classic UUPS mistake of an "empty override". Anyone can call
/// `upgradeToAndCall` on the proxy with code of their choosing and drain or brick it.
contract RewardsV2UnprotectedUpgrade is RewardsV2Core {
    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    function _authorizeUpgrade(address) internal override {}
}
