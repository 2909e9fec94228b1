// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title TestUSD — the vault's underlying asset (a 6-decimals stablecoin stand-in).
/// @notice Only the deployer can mint; used to fund depositors and the attacker in the example.
contract TestUSD is ERC20 {
    address public immutable minter;

    error NotMinter(address caller);

    constructor() ERC20("Test USD", "tUSD") {
        minter = msg.sender;
    }

    function decimals() public pure override returns (uint8) {
        return 6;
    }

    function mint(address to, uint256 amount) external {
        if (msg.sender != minter) revert NotMinter(msg.sender);
        _mint(to, amount);
    }
}
