// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {VaultV2Views} from "../VaultV2.sol";

/// @title VaultV2Selfdestruct — BAD PATCH: delegatecall and selfdestruct in the implementation
/// (Parity multisig library, November 2017).
/// @dev Adds an admin "execute" escape hatch that delegatecalls arbitrary code, and a "decommission"
/// that selfdestructs. Parity's shared library had both reachable; one call killed it and froze
/// 513,774 ETH in every wallet that delegated to it.
contract VaultV2Selfdestruct is VaultV2Views {
    error ExecutionFailed(bytes reason);

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    function execute(address target, bytes calldata data) external onlyRole(DEFAULT_ADMIN_ROLE) returns (bytes memory) {
        (bool ok, bytes memory result) = target.delegatecall(data);
        if (!ok) revert ExecutionFailed(result);
        return result;
    }

    function decommission(address payable to) external onlyRole(DEFAULT_ADMIN_ROLE) {
        selfdestruct(to);
    }
}
