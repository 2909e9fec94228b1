/** One realistic check report for the renderer tests: every status, an acknowledgement, a finding without location. */
import { makeFinding } from '../analyze/catalog.js';
import type { CheckReport } from '../analyze/run-check.js';
import type { PairsReport } from '../analyze/run-pairs.js';
import type { SimulateReport } from '../simulate/run-simulate.js';

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
    storageLayout: [
      {
        slot: '2',
        offset: 0,
        reference: { label: 'feeBps', type: 'uint256', contract: 'VaultV1' },
        candidate: { label: 'withdrawalLimit', type: 'uint256', contract: 'VaultV2AccessDropped' },
        change: 'replaced',
      },
      {
        slot: '3',
        offset: 0,
        reference: { label: 'feeRecipient', type: 'address', contract: 'VaultV1' },
        candidate: { label: 'feeBps', type: 'uint256', contract: 'VaultV2AccessDropped' },
        change: 'replaced',
      },
      {
        slot: '4',
        offset: 0,
        candidate: { label: 'feeRecipient', type: 'address', contract: 'VaultV2AccessDropped' },
        change: 'added',
      },
    ],
  };
}

/** A many-pairs check of two pairs: the sample (failing) and a passing one. */
export function samplePairsReport(): PairsReport {
  const failing = { ...sampleReport(), name: 'vault' };
  const { storageLayout: _layout, ...rest } = sampleReport();
  const passing = { ...rest, name: 'rewards', verdict: 'pass' as const, findings: rest.findings.slice(0, 2) };
  const pairs = [failing, passing];
  return {
    ...{ tool: failing.tool, verdict: failing.verdict, digest: failing.digest, stages: failing.stages },
    findings: pairs.flatMap((p) => p.findings.map((f) => ({ ...f, pair: p.name }))),
    report: 'pairs',
    pairs,
  };
}

const SAFE = '0x00000000000000000000000000000000000000a1';

/** A passing simulation with a governance path and a proof of concept. */
export function sampleSimulateReport(): SimulateReport {
  const { tool, stages } = sampleReport();
  return {
    tool,
    verdict: 'pass',
    digest: `0x${'cd'.repeat(32)}`,
    stages,
    findings: [],
    report: 'simulate',
    patch: 'fix-flashloan',
    chain: { mode: 'embedded', chainId: 31337 },
    node: { mode: 'embedded' },
    control: { proxy: SAFE, kind: 'transparent', upgrade: `Safe ${SAFE} (2 of 3)`, cancel: [], pause: [] },
    candidate: { contract: 'src/VaultV2.sol:VaultV2' },
    governancePath: {
      ok: true,
      impersonated: false,
      operationId: `0x${'ee'.repeat(32)}`,
      steps: [{ name: 'time-warp', seconds: 172800n }],
    },
    invariants: [],
    replay: { transactions: 0, differences: [] },
    gas: [],
    storageDiff: [],
    poc: [{ name: 'drain', before: 'succeeded', after: 'failed', profitBefore: '1000' }],
    fuzz: {
      seed: 1,
      runsPerFunction: 12,
      functionsCovered: 2,
      functionsTotal: 2,
      notCovered: [],
      callsRun: 26,
      budgetExhausted: false,
      differences: [
        {
          function: 'maxFlashLoan(address)',
          changed: true,
          call: { from: '@user:1', args: ['@token'] },
          aspect: 'return',
          before: 'returned "60000000000"',
          after: 'returned "30000000000"',
        },
      ],
    },
  };
}
