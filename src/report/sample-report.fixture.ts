/** One realistic check report for the renderer tests: every status, an acknowledgement, a finding without location. */
import { makeFinding } from '../analyze/catalog.js';
import type { CheckReport } from '../analyze/run-check.js';

export function sampleReport(): CheckReport {
  return {
    tool: { name: 'patchgate', version: '0.1.0' },
    verdict: 'fail',
    digest: `0x${'ab'.repeat(32)}`,
    stages: [
      { name: 'build', status: 'passed', durationMs: 840 },
      { name: 'check', status: 'failed', durationMs: 112 },
    ],
    findings: [
      makeFinding('function-added', {
        message: 'claimFor(address) (0x8a5b1b3f) is new in RewardsV2.',
        location: { file: 'src/RewardsV2.sol', line: 61, contract: 'RewardsV2', function: 'claimFor' },
        status: 'introduced',
        key: 'claimFor(address)',
      }),
      {
        ...makeFinding('access-control-missing', {
          message:
            'RewardsV2.claimFor is new, writes claimed (in _claim), and has no access guard: anyone can call it.',
          location: { file: 'src/RewardsV2.sol', line: 61, contract: 'RewardsV2', function: 'claimFor' },
          status: 'introduced',
          key: 'claimFor(address)',
        }),
        acknowledged: true,
        acknowledgedReason: 'permissionless by design: rewards always go to the staker',
      },
      makeFinding('access-control-removed', {
        message:
          'VaultV2AccessDropped.setFeeRecipient had onlyRole(DEFAULT_ADMIN_ROLE) in VaultV1 and has no guard now.',
        location: {
          file: 'src/bad/VaultV2AccessDropped.sol',
          line: 42,
          contract: 'VaultV2AccessDropped',
          function: 'setFeeRecipient',
        },
        status: 'introduced',
        key: 'setFeeRecipient(address)',
      }),
      makeFinding('implementation-initializable', {
        message: 'VaultV1 has no constructor calling _disableInitializers(); VaultV2 locks its initializers.',
        location: { file: 'src/VaultV1.sol', line: 12, contract: 'VaultV1' },
        status: 'fixed',
      }),
      makeFinding('bytecode-delegatecall', {
        message: 'DELEGATECALL at pc 0x1a2f (UUPSUpgradeable.upgradeToAndCall), also in VaultV1.',
        location: {
          file: 'lib/openzeppelin/contracts/utils/Address.sol',
          line: 96,
          contract: 'Address',
          function: 'functionDelegateCall',
        },
        status: 'unchanged',
        severity: 'info',
        blocking: false,
      }),
      makeFinding('storage-layout-incompatible', {
        message:
          'VaultV1: Inserted `withdrawalLimit`\n  > New variables should be placed after existing ones',
        status: 'introduced',
      }),
    ],
    report: 'check',
    reference: {
      name: 'VaultV1',
      fullyQualifiedName: 'src/VaultV1.sol:VaultV1',
      bytecodeHash: `0x${'11'.repeat(32)}`,
    },
    candidate: {
      name: 'VaultV2AccessDropped',
      fullyQualifiedName: 'src/bad/VaultV2AccessDropped.sol:VaultV2AccessDropped',
      bytecodeHash: `0x${'22'.repeat(32)}`,
    },
    kind: 'uups',
    cached: false,
  };
}
