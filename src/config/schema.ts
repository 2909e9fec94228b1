/**
 * The protocol description a team keeps next to its code (`patchgate.config.json`).
 * Strict on purpose: a misspelled key is an error that names it, not a silently ignored setting.
 */
import { z } from 'zod';

const kebabId = z
  .string()
  .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'a finding id is kebab-case, e.g. access-control-removed');
const contractRef = z.string().min(1, 'a contract reference is `Name` or `path/File.sol:Name`');

export const proxyKind = z.enum(['transparent', 'uups', 'beacon']);

export const acknowledgementSchema = z.strictObject({
  id: kebabId,
  contract: z.string().optional(),
  function: z.string().optional(),
  file: z.string().optional(),
  reason: z.string().min(1, 'say why this finding is deliberate'),
});

export const contractSchema = z.strictObject({
  kind: proxyKind.optional(),
  reference: contractRef,
});

export const patchSchema = z.strictObject({
  name: z.string().regex(/^[\w.-]+$/, 'a patch name uses letters, digits, dots, dashes and underscores'),
  contract: z.string().min(1),
  candidate: contractRef,
  /** What the static check is expected to say (used by the demo and by CI self-tests). */
  expect: z.enum(['pass', 'fail']).optional(),
  expectFindings: z.array(kebabId).optional(),
  note: z.string().optional(),
});

export const configSchema = z
  .strictObject({
    $schema: z.string().optional(),
    project: z.string().default('.'),
    contracts: z.record(z.string(), contractSchema).default({}),
    patches: z.array(patchSchema).default([]),
    acknowledge: z.array(acknowledgementSchema).default([]),
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
export type PatchConfig = z.output<typeof patchSchema>;
