/**
 * The protocol description a team keeps next to its code (`patchgate.config.json`).
 * Strict on purpose: a misspelled key is an error that names it, not a silently ignored setting.
 */
import { z } from 'zod';

const kebabId = z
  .string()
  .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'a finding id is kebab-case, e.g. access-control-removed');
const contractRef = z.string().min(1, 'a contract reference is `Name` or `path/File.sol:Name`');

const proxyKind = z.enum(['transparent', 'uups', 'beacon']);

const acknowledgementSchema = z.strictObject({
  id: kebabId,
  contract: z.string().optional(),
  function: z.string().optional(),
  file: z.string().optional(),
  reason: z.string().min(1, 'say why this finding is deliberate'),
});

const contractSchema = z.strictObject({
  kind: proxyKind.optional(),
  reference: contractRef,
});

/** A value in a call: a number/string literal, or `@name` (a deployed contract, `@timelock`, `@safe`,
 * `@guardian`, `@deployer`, `@user:N`). Numbers are strings so that uint256 values survive JSON. */
const argValue = z.union([z.string(), z.number(), z.boolean()]);

const callSchema = z.strictObject({
  function: z.string().min(1),
  args: z.array(argValue).default([]),
});

const deploySchema = z.strictObject({
  /** Name other entries refer to as `@name`; for a proxied one, the key in `contracts` it deploys. */
  name: z.string().regex(/^[A-Za-z][\w-]*$/),
  contract: z.string().min(1),
  proxy: z.enum(['transparent', 'uups']).optional(),
  args: z.array(argValue).default([]),
  init: callSchema.optional(),
});

const setupStepSchema = z.strictObject({
  from: z.string().min(1),
  to: z.string().min(1),
  function: z.string().min(1),
  args: z.array(argValue).default([]),
});

const systemSchema = z.strictObject({
  governance: z.strictObject({
    owners: z.number().int().min(1).max(10),
    threshold: z.number().int().min(1),
    minDelay: z.number().int().min(0),
  }),
  deploy: z.array(deploySchema).min(1),
  setup: z.array(setupStepSchema).default([]),
});

const pocSchema = z.strictObject({
  name: z.string().regex(/^[\w.-]+$/),
  /** The exploit contract, deployed by the attacker. */
  contract: z.string().min(1),
  /** The deployed contract (`system.deploy` name) it attacks: it runs for patches of that contract. */
  target: z.string().min(1),
  function: z.string().min(1),
  args: z.array(argValue).default([]),
  /** Tokens minted to the exploit contract first (e.g. a flash-loan fee). */
  fund: z
    .strictObject({ token: z.string(), function: z.string().default('mint'), amount: z.string() })
    .optional(),
  /** Success = the attacker's balance of this deployed token grows. */
  profitToken: z.string(),
});

/** A view call compared with a value: `vault.feeRecipient() == @timelock`. */
const invariantSchema = z.strictObject({
  name: z.string().regex(/^[\w.-]+$/),
  target: z.string().min(1),
  function: z.string().min(1),
  args: z.array(argValue).default([]),
  op: z.enum(['==', '!=', '>', '>=', '<', '<=']),
  value: argValue,
});

/** Immunefi's severity classes (Vulnerability Severity Classification System v2.3, smart contracts). */
const IMMUNEFI_SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
export type ImmunefiSeverity = (typeof IMMUNEFI_SEVERITIES)[number];

/** A value in US dollars, as a decimal string (`"1000000"`, `"0.25"`): exact, never a float. */
const usd = z
  .string()
  .regex(/^\d+(\.\d{1,18})?$/, 'a dollar value is a decimal string, e.g. "1000000" or "0.25"');

const patchSchema = z.strictObject({
  name: z.string().regex(/^[\w.-]+$/, 'a patch name uses letters, digits, dots, dashes and underscores'),
  contract: z.string().min(1),
  candidate: contractRef,
  /** What the static check is expected to say (used by the demo and by CI self-tests). */
  expect: z.enum(['pass', 'fail']).optional(),
  expectFindings: z.array(kebabId).optional(),
  note: z.string().optional(),
  /** The call the upgrade makes on the new implementation (`upgradeAndCall` data), if any. */
  upgrade: callSchema.optional(),
  /** Invariants of this patch only (e.g. a guard it adds must be armed), checked after the upgrade. */
  invariants: z.array(invariantSchema).default([]),
  /** Existing variables the upgrade is meant to write (`flashFeeBps`, or a namespaced `erc7201:…​.name`). */
  expectStorage: z.array(z.string()).default([]),
  /** What simulate is expected to say (demo and CI self-tests). */
  expectSimulate: z.enum(['pass', 'fail']).optional(),
  /** What the team knows about the bug this patch fixes, for `patchgate assess` (docs/risk.md). */
  risk: z
    .strictObject({
      /** Immunefi severity of the bug as triaged; evidence can raise it (a PoC that steals is critical), never lower it. */
      severity: z.enum(IMMUNEFI_SEVERITIES).optional(),
      /** The Immunefi impact in words (`Direct theft of any user funds`). */
      impact: z.string().min(1).optional(),
      /** The bug is known outside the team (a public report, an attack seen on chain): the clock runs faster. */
      public: z.boolean().default(false),
      /** When the bug was found (ISO 8601): the exposure window counts from here. */
      discoveredAt: z.string().datetime({ offset: true }).optional(),
    })
    .optional(),
});

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'an address is 0x followed by 40 hex digits');

/** One lane of the approval policy. Omitted values come from the chain (see govern/policy.ts). */
const laneSchema = z.strictObject({
  /** Approvals (EIP-712, distinct approvers) needed before the patch can be queued. */
  threshold: z.number().int().min(1).optional(),
  /** The timelock delay the patch is scheduled with, seconds (≥ the timelock's minimum delay). */
  delay: z.number().int().min(0).optional(),
});

const standardLaneSchema = laneSchema.extend({
  /**
   * The most value (US dollars, from `patchgate assess`) a standard-lane patch may leave exposed during its
   * window; above it `queue` refuses the standard lane (rule `policy.lanes.standard.maxValueAtRisk`).
   */
  maxValueAtRisk: usd.optional(),
});

const emergencyLaneSchema = laneSchema.extend({
  /**
   * The Immunefi severities whose fixes may take the emergency lane (rule `policy.lanes.emergency.severities`).
   * Empty: the emergency lane is closed, and a PatchGate deployed with this policy refuses it on chain.
   * Default: critical and high.
   */
  severities: z.array(z.enum(IMMUNEFI_SEVERITIES)).optional(),
});

/**
 * Who approves patches and how: the approver set (default: the Safe's owners, read from the chain), how long
 * an approval stays valid, and the two lanes. *standard*: the timelock delay is the review window;
 * *emergency*: the guardian pauses at once, the upgrade needs more approvals and waits less.
 */
const policySchema = z.strictObject({
  approvers: z.array(address).min(1).optional(),
  /** Seconds an approval stays valid after it is signed (default 7 days). */
  approvalTtl: z
    .number()
    .int()
    .min(60)
    .default(7 * 86_400),
  /**
   * Seconds a proposal stays open before it must be queued (default 14 days): its evidence (a simulation on
   * a fork of the chain as it was) goes stale, and an expired patch must be proposed again.
   */
  proposalTtl: z
    .number()
    .int()
    .min(60)
    .default(14 * 86_400),
  lanes: z
    .strictObject({
      standard: standardLaneSchema.default({}),
      emergency: emergencyLaneSchema.default({}),
    })
    .default({ standard: {}, emergency: {} }),
  /**
   * Who may pause the live contracts (`patchgate pause`, the emergency lane's pause, the watcher's key): the
   * guardian keys allowed (rule `policy.pausers`). Default: whoever holds the pauser role on chain.
   */
  pausers: z.array(address).min(1).optional(),
});

/** The live addresses of a system, by the names used everywhere else (`vault`, `token`). */
const liveSchema = z.record(z.string(), z.strictObject({ address, contract: z.string().optional() }));

/** One asset whose balances count toward the value at risk, and where its price comes from. */
const riskAssetSchema = z
  .strictObject({
    /** A token by its `live`/`system.deploy` name or address; `eth` for the chain's native coin. */
    token: z.string().min(1),
    /** US dollars per whole token (a decimal string): the price table. */
    price: usd.optional(),
    /** A Chainlink-style aggregator (`latestRoundData()`, `decimals()`) quoting US dollars per whole token. */
    oracle: address.optional(),
    /** The token's decimals where it has no `decimals()` (read from the chain otherwise; `eth` is 18). */
    decimals: z.number().int().min(0).max(36).optional(),
  })
  .refine((a) => (a.price === undefined) !== (a.oracle === undefined), {
    message: 'give the asset a price or an oracle (one of them)',
  });

/** `patchgate assess` (docs/risk.md): what counts as value at risk and how fast approvals come when none were measured. */
const riskSchema = z.strictObject({
  assets: z.array(riskAssetSchema).default([]),
  /**
   * Contracts whose balances count with a patched contract's own (the contracts it controls: a strategy, an
   * escrow), by patched contract name → `live` names or addresses.
   */
  holders: z.record(z.string(), z.array(z.string().min(1))).default({}),
  /** Seconds to collect a lane's approvals, used until the store has measured some (default 1 day / 1 hour). */
  approvalTime: z
    .strictObject({
      standard: z.number().int().min(0).default(86_400),
      emergency: z.number().int().min(0).default(3600),
    })
    .default({ standard: 86_400, emergency: 3600 }),
  /** An oracle answer older than this many seconds is refused (default 1 day). */
  maxPriceAge: z.number().int().min(1).default(86_400),
});

/** What a watch rule does about what it saw, beyond the alert every finding is. */
const respondSchema = z.enum(['pause', 'cancel', 'alert']);
const decimal = z
  .string()
  .regex(/^\d+$/, 'an amount is a decimal integer string in base units, e.g. "1000000000"');

const ruleBase = { enabled: z.boolean().default(true) };

/** One asset the outflows rule follows: a token (`system.deploy`/`live` name or address), its caps. */
const outflowAssetSchema = z.strictObject({
  token: z.string().min(1),
  /** Alert when one block moves more than this out of a protected contract (base units). */
  cap: decimal.optional(),
  /** Alert when one block moves more than `factor` × the rolling baseline (see docs/watch.md). */
  factor: z.number().positive().optional(),
  /** Blocks in the rolling baseline (default 100). */
  window: z.number().int().min(2).max(10_000).optional(),
  /** The baseline is never taken below this (base units), so a quiet contract's first withdrawal is not an attack. */
  floor: decimal.optional(),
});

/** One event or function of a `watch.match` entry: OpenZeppelin Monitor's signature and expression. */
const matchConditionSchema = z.strictObject({
  signature: z.string().min(1),
  expression: z.string().optional(),
});

/** A team's own match (docs/watch-oz-monitor.md): events and top-level calls of some addresses, with conditions. */
const matchSchema = z.strictObject({
  name: z.string().min(1),
  /** Names under `live`, or addresses. */
  addresses: z.array(z.string().min(1)).min(1),
  events: z.array(matchConditionSchema).optional(),
  functions: z.array(matchConditionSchema).optional(),
  severity: z.enum(['critical', 'high', 'medium', 'low', 'info']).optional(),
  respond: respondSchema.default('alert'),
});

/**
 * `patchgate watch`: which live contracts it protects, its rules and what each does about an alert, where alerts
 * go, and how the pause is sent. Every rule is on by default; `respond` picks the response per rule.
 */
const watchSchema = z.strictObject({
  /** The watcher's name: its cursor and leader lease in the store (two watchers of one protocol share it). */
  name: z
    .string()
    .regex(/^[\w.-]+$/)
    .default('default'),
  /** The protected contracts, by their names under `live` (default: every live contract). */
  contracts: z.array(z.string().min(1)).optional(),
  /** Milliseconds between polls of the node when it has no subscription (and for the mempool). */
  pollMs: z.number().int().min(20).max(60_000).default(1000),
  /** The deepest reorganisation the watcher can undo (blocks kept in its cursor). */
  reorgDepth: z.number().int().min(1).max(10_000).default(64),
  /** Judge pending transactions to protected contracts where the node shows its mempool. */
  pending: z.boolean().default(true),
  rules: z
    .strictObject({
      upgrades: z.strictObject({ ...ruleBase, respond: respondSchema.default('pause') }).default({
        enabled: true,
        respond: 'pause',
      }),
      governance: z.strictObject({ ...ruleBase, respond: respondSchema.default('cancel') }).default({
        enabled: true,
        respond: 'cancel',
      }),
      invariants: z.strictObject({ ...ruleBase, respond: respondSchema.default('pause') }).default({
        enabled: true,
        respond: 'pause',
      }),
      outflows: z
        .strictObject({
          ...ruleBase,
          respond: respondSchema.default('pause'),
          assets: z.array(outflowAssetSchema).default([]),
        })
        .default({ enabled: true, respond: 'pause', assets: [] }),
    })
    .default({
      upgrades: { enabled: true, respond: 'pause' },
      governance: { enabled: true, respond: 'cancel' },
      invariants: { enabled: true, respond: 'pause' },
      outflows: { enabled: true, respond: 'pause', assets: [] },
    }),
  /** A team's own rules: TypeScript/JavaScript modules whose default export is a rule (docs/watch.md). */
  custom: z
    .array(
      z.strictObject({
        module: z.string().min(1),
        respond: respondSchema.default('alert'),
        options: z.record(z.string(), z.unknown()).default({}),
      }),
    )
    .default([]),
  /** Matches of events and function calls (`watch-match`), written or imported from OpenZeppelin Monitor. */
  match: z.array(matchSchema).default([]),
  pause: z
    .strictObject({
      /** What a `pause` response pauses, by `live` name (default: every protected contract that has paused()). */
      contracts: z.array(z.string().min(1)).optional(),
      /** Seconds before an unmined pause is replaced with a higher fee (same nonce). */
      replaceAfter: z.number().positive().max(600).default(3),
    })
    .default({ replaceAfter: 3 }),
  webhooks: z
    .array(
      z.strictObject({
        name: z.string().regex(/^[\w.-]+$/),
        url: z.string().url(),
        kind: z.enum(['json', 'slack']).default('json'),
        /** The environment variable holding the HMAC secret (json webhooks). */
        secretEnv: z
          .string()
          .regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name, e.g. WEBHOOK_SECRET')
          .optional(),
        minSeverity: z.enum(['critical', 'high', 'medium', 'low', 'info']).optional(),
        maxPerMinute: z.number().int().min(1).optional(),
      }),
    )
    .default([]),
  /** Seconds a leader's lease lasts without renewal (several watchers on one PostgreSQL). */
  leaseTtl: z.number().int().min(2).max(600).default(15),
});

/** simulate's differential fuzzing (docs/simulate.md): generated calls on the system before and after the upgrade. */
const fuzzSchema = z.strictObject({
  /** false: the stage is skipped (reported as skipped, never as passed). */
  enabled: z.boolean().default(true),
  /** Generated calls per external function of the patched contract (shrinking runs come on top). */
  runs: z.number().int().min(1).max(100_000).default(8),
  /** Wall-clock budget of the whole stage, in milliseconds; when spent, the functions left are not covered. */
  timeBudgetMs: z.number().int().min(100).max(3_600_000).default(20_000),
  /** Same seed, same calls, same report (`--seed` overrides it). */
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1)
    .default(1),
});

export const configSchema = z
  .strictObject({
    $schema: z.string().optional(),
    project: z.string().default('.'),
    contracts: z.record(z.string(), contractSchema).default({}),
    patches: z.array(patchSchema).default([]),
    acknowledge: z.array(acknowledgementSchema).default([]),
    /** check's prove stage: SMTChecker on the candidate's assertions and the fix's property (docs/prove.md). */
    prove: z
      .strictObject({
        enabled: z.boolean().default(true),
        /** Wall-clock seconds per target; past it the target is unknown, which blocks unless acknowledged. */
        timeout: z.number().positive().max(3600).default(60),
      })
      .default({ enabled: true, timeout: 60 }),
    system: systemSchema.optional(),
    /**
     * The live addresses, by the names used everywhere else (`vault`, `token`): where a fork (`--fork-url`)
     * and the lifecycle commands (`propose` … `verify`) find the system.
     */
    live: liveSchema.optional(),
    /**
     * One patch, many chains (docs/rollout.md): the same system deployed on several chains, each with its chain
     * id, its node and its `live` addresses. `propose --chains` proposes a patch on them as one rollout.
     */
    chains: z
      .record(
        z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'a chain name is lower-case letters, digits and dashes'),
        z.strictObject({
          chainId: z.number().int().positive(),
          /** The node: a JSON-RPC URL, or `env:NAME` — the environment variable holding it (URLs often carry keys). */
          rpc: z.string().min(1),
          live: liveSchema,
        }),
      )
      .optional(),
    /** `patchgate rollout`: the order of the chains (default: largest value at risk first). */
    rollout: z.strictObject({ order: z.array(z.string().min(1)).min(1).optional() }).optional(),
    policy: policySchema.default({
      approvalTtl: 7 * 86_400,
      proposalTtl: 14 * 86_400,
      lanes: { standard: {}, emergency: {} },
    }),
    pocs: z.array(pocSchema).default([]),
    /** `patchgate assess`: the assets counted as value at risk, their prices, the assumed approval times. */
    risk: riskSchema.default({
      assets: [],
      holders: {},
      approvalTime: { standard: 86_400, emergency: 3600 },
      maxPriceAge: 86_400,
    }),
    /** Solidity contracts deployed next to the system whose `invariant_*()` functions must return true. */
    invariantContracts: z
      .array(z.strictObject({ contract: z.string().min(1), args: z.array(argValue).default([]) }))
      .default([]),
    /** Normal user flows replayed on the system before and after the upgrade, and compared. */
    replay: z.array(setupStepSchema).default([]),
    /** Invariants of the live system, checked before and after every simulated upgrade. */
    invariants: z.array(invariantSchema).default([]),
    /** `simulate`'s differential fuzzing of the patched contract. */
    fuzz: fuzzSchema.default({ enabled: true, runs: 8, timeBudgetMs: 20_000, seed: 1 }),
    /** `patchgate watch`: the live monitor and its automatic responses. */
    watch: watchSchema.optional(),
    /** `patchgate serve`: who holds which role (a list replaces that role's default from the chain). */
    server: z
      .strictObject({
        roles: z
          .strictObject({
            proposer: z.array(address).optional(),
            approver: z.array(address).optional(),
            executor: z.array(address).optional(),
            guardian: z.array(address).optional(),
            viewer: z.array(address).optional(),
          })
          .default({}),
      })
      .optional(),
  })
  .superRefine((cfg, ctx) => {
    cfg.patches.forEach((p, i) => {
      if (!(p.contract in cfg.contracts)) {
        ctx.addIssue({
          code: 'custom',
          path: ['patches', i, 'contract'],
          message: `unknown contract "${p.contract}"; declared: ${Object.keys(cfg.contracts).join(', ') || 'none'}`,
        });
      }
    });
    (cfg.rollout?.order ?? []).forEach((name, i) => {
      if (!cfg.chains?.[name]) {
        ctx.addIssue({
          code: 'custom',
          path: ['rollout', 'order', i],
          message: `unknown chain "${name}"; declared under chains: ${Object.keys(cfg.chains ?? {}).join(', ') || 'none'}`,
        });
      }
    });
    const names = new Set<string>();
    cfg.patches.forEach((p, i) => {
      if (names.has(p.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['patches', i, 'name'],
          message: `duplicate patch name "${p.name}"`,
        });
      }
      names.add(p.name);
    });
  });

export type Config = z.output<typeof configSchema>;
/** What a config file may contain (defaults not yet applied). */
export type ConfigInput = z.input<typeof configSchema>;
export type PatchConfig = z.output<typeof patchSchema>;
export type SystemConfig = z.output<typeof systemSchema>;
export type PocConfig = z.output<typeof pocSchema>;
export type CallConfig = z.output<typeof callSchema>;
export type InvariantConfig = z.output<typeof invariantSchema>;
export type PolicyConfig = z.output<typeof policySchema>;
export type WatchConfig = z.output<typeof watchSchema>;
export type FuzzConfig = z.output<typeof fuzzSchema>;
export type RiskConfig = z.output<typeof riskSchema>;
