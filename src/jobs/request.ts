/**
 * What a job is asked to do: the four long-running analyses a team starts from the page (`check`, `simulate`,
 * `verify`, `audit`), each with the one thing it needs — validated by one zod schema on the API and in the worker.
 */
import { z } from 'zod';

const patchName = z.string().min(1).max(200).describe("a patch declared in the project's config");

export const jobRequest = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('check'), patch: patchName }),
  z.strictObject({
    kind: z.literal('simulate'),
    patch: patchName,
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .optional()
      .describe("the fuzzer's seed (default: the config's)"),
  }),
  z.strictObject({
    kind: z.literal('verify'),
    digest: z.string().regex(/^0x[0-9a-fA-F]{64}$/, 'a patch digest is 0x and 64 hex digits'),
  }),
  z.strictObject({
    kind: z.literal('audit'),
    proxy: z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'an address is 0x followed by 40 hex digits'),
  }),
]);

export type JobRequest = z.output<typeof jobRequest>;
export type JobKind = JobRequest['kind'];
