// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";
import {OwnableUpgradeable} from "@openzeppelin/contracts-upgradeable/access/OwnableUpgradeable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts-upgradeable/proxy/utils/UUPSUpgradeable.sol";

/// @title RewardsV1 — streams a reward token to vault depositors who stake their pvUSD shares.
/// @notice Behind an ERC1967Proxy (UUPS): the implementation itself decides who may upgrade, in
/// `_authorizeUpgrade`, restricted to the owner (the governance timelock).
contract RewardsV1 is Initializable, OwnableUpgradeable, UUPSUpgradeable {
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

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    function initialize(IERC20 stakingToken_, IERC20 rewardToken_, address owner_) external initializer {
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

    function _authorizeUpgrade(address) internal override onlyOwner {}
}
