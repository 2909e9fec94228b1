// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC4626} from "@openzeppelin/contracts/interfaces/IERC4626.sol";

/// @title VaultInvariants — properties of the vault that every version must keep.
/// @notice `patchgate simulate` deploys this next to the system and calls every `invariant_*()` before and
/// after the upgrade and after each replayed transaction; each returns true when the property holds.
contract VaultInvariants {
    IERC4626 public immutable vault;

    constructor(IERC4626 vault_) {
        vault = vault_;
    }

    /// The vault holds at least what its shares are worth: no unbacked shares.
    function invariant_solvent() external view returns (bool) {
        uint256 held = IERC20(vault.asset()).balanceOf(address(vault));
        return held >= vault.convertToAssets(vault.totalSupply());
    }

    /// A share never becomes worth less than one unit of the asset (no value leaked from depositors).
    function invariant_shareNotDiluted() external view returns (bool) {
        if (vault.totalSupply() == 0) return true;
        return vault.convertToAssets(10 ** 6) >= 10 ** 6 - 1;
    }
}
