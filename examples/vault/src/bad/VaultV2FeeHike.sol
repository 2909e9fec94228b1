// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {VaultV2Views} from "../VaultV2.sol";

/// @title VaultV2FeeHike — BAD PATCH: the correct fix, plus a flash-loan fee raised 5 → 100 bps in the upgrade.
/// @dev `flashFee`, `flashFeeBps` and `flashLoan`'s fee keep their code: only the state they read changes, with no
/// `FlashFeeUpdated` event. A per-function code diff sees nothing; simulate's differential fuzzing sees `flashFee`
/// answer differently for the same call and reports `behaviour-changed` with the smallest amount that shows it.
contract VaultV2FeeHike is VaultV2Views {
    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    function initializeV2(uint256 maxFlashLoanBps_) public override reinitializer(2) {
        _setMaxFlashLoan(maxFlashLoanBps_);
        flashFeeBps = MAX_FLASH_FEE_BPS;
    }
}
