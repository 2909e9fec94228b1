// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";
import {OwnableUpgradeable} from "@openzeppelin/contracts-upgradeable/access/OwnableUpgradeable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts-upgradeable/proxy/utils/UUPSUpgradeable.sol";

/// @title RewardsV2Core — the rewards logic of V2, without the upgrade authorization.
/// @notice V2 adds `claimFor`, so a keeper can push rewards to a staker (paid to the staker, never to the
/// caller). No storage change.
abstract contract RewardsV2Core is Initializable, OwnableUpgradeable, UUPSUpgradeable {
    using SafeERC20 for IERC20;

    IERC20 public stakingToken;
    IERC20 public rewardToken;
    /// @notice Reward tokens per second, shared by all stakers.
    uint256 public rewardRate;
    uint256 public lastUpdate;
    uint256 public rewardPerShareStored;
    uint256 public totalStaked;
    mapping(address => uint256) public staked;
    mapping(address => uint256) public rewardPerSharePaid;
    mapping(address => uint256) public rewards;

    event Staked(address indexed account, uint256 amount);
    event Unstaked(address indexed account, uint256 amount);
    event RewardPaid(address indexed account, uint256 amount);
    event RewardRateUpdated(uint256 rate);

    error ZeroAmount();

    function initialize(IERC20 stakingToken_, IERC20 rewardToken_, address owner_) public initializer {
        __Ownable_init(owner_);
        stakingToken = stakingToken_;
        rewardToken = rewardToken_;
        lastUpdate = block.timestamp;
    }

    function rewardPerShare() public view returns (uint256) {
        if (totalStaked == 0) return rewardPerShareStored;
        return rewardPerShareStored + ((block.timestamp - lastUpdate) * rewardRate * 1e18) / totalStaked;
    }

    function earned(address account) public view returns (uint256) {
        return rewards[account] + (staked[account] * (rewardPerShare() - rewardPerSharePaid[account])) / 1e18;
    }

    function stake(uint256 amount) external {
        if (amount == 0) revert ZeroAmount();
        _update(msg.sender);
        staked[msg.sender] += amount;
        totalStaked += amount;
        stakingToken.safeTransferFrom(msg.sender, address(this), amount);
        emit Staked(msg.sender, amount);
    }

    function unstake(uint256 amount) external {
        if (amount == 0) revert ZeroAmount();
        _update(msg.sender);
        staked[msg.sender] -= amount;
        totalStaked -= amount;
        stakingToken.safeTransfer(msg.sender, amount);
        emit Unstaked(msg.sender, amount);
    }

    function claim() external {
        _update(msg.sender);
        uint256 reward = rewards[msg.sender];
        if (reward > 0) {
            rewards[msg.sender] = 0;
            rewardToken.safeTransfer(msg.sender, reward);
            emit RewardPaid(msg.sender, reward);
        }
    }

    /// @notice New in V2: pay `account` its rewards (anyone may trigger it; the staker is always the payee).
    function claimFor(address account) external {
        _update(account);
        uint256 reward = rewards[account];
        if (reward > 0) {
            rewards[account] = 0;
            rewardToken.safeTransfer(account, reward);
            emit RewardPaid(account, reward);
        }
    }

    function setRewardRate(uint256 rate) external onlyOwner {
        _update(address(0));
        rewardRate = rate;
        emit RewardRateUpdated(rate);
    }

    function _update(address account) internal {
        rewardPerShareStored = rewardPerShare();
        lastUpdate = block.timestamp;
        if (account != address(0)) {
            rewards[account] = earned(account);
            rewardPerSharePaid[account] = rewardPerShareStored;
        }
    }
}

/// @title RewardsV2 — the correct patch for RewardsV1; upgrades stay owner-only (the timelock).
contract RewardsV2 is RewardsV2Core {
    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    function _authorizeUpgrade(address) internal override onlyOwner {}
}
