// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {VaultV2Views} from "../VaultV2.sol";

/// @title VaultV2Initializable — BAD PATCH: implementation left initializable (Wormhole, 2022).
/// @dev The constructor no longer calls `_disableInitializers()`. Anyone can call `initialize` on the
/// implementation contract itself and become its admin. Wormhole's uninitialized UUPS implementation
/// (a $10M bug bounty, Feb 2022) let an attacker initialize it and selfdestruct it, bricking the proxy.
contract VaultV2Initializable is VaultV2Views {
    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {}
}
