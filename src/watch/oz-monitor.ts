/**
 * OpenZeppelin Monitor's configuration → patchgate's `watch` section (`patchgate watch-import`), as a pure function:
 * monitor files become `watch.match` entries (addresses, event and function conditions, with bare signatures written
 * out in full from the monitor's `contract_spec`), network files give `pollMs`, trigger files give `webhooks` where
 * they are webhook or Slack triggers. Everything that does not map is said in a note, with the reason
 * (docs/watch-oz-monitor.md): a team moving over sees exactly what it would lose.
 *
 * A condition patchgate cannot evaluate (an expression outside the subset, an event whose indexed parameters no ABI
 * gives) is left out with a note rather than written into a config that would stop the watcher at start.
 */
import { type Abi, type AbiEvent, type AbiFunction, getAddress, isAddress, parseAbiItem } from 'viem';
import { z } from 'zod';
import { inputError, isPatchgateError } from '../core/errors.js';
import { checkExpression, parseExpression } from './expression.js';

/** One file as read: its name (for messages) and its parsed JSON. */
export interface SourceFile {
  file: string;
  json: unknown;
}

const condition = z.object({ signature: z.string().min(1), expression: z.string().nullish() });
const monitorSchema = z.object({
  name: z.string().min(1),
  networks: z.array(z.string()).default([]),
  paused: z.boolean().default(false),
  addresses: z
    .array(
      z.object({ address: z.string(), contract_spec: z.unknown().optional(), abi: z.unknown().optional() }),
    )
    .default([]),
  match_conditions: z
    .object({
      functions: z.array(condition).default([]),
      events: z.array(condition).default([]),
      transactions: z
        .array(z.object({ status: z.string().optional(), expression: z.string().nullish() }))
        .default([]),
    })
    .default({ functions: [], events: [], transactions: [] }),
  trigger_conditions: z.array(z.object({ script_path: z.string().optional() }).passthrough()).default([]),
  triggers: z.array(z.string()).default([]),
});
const secret = z.object({ type: z.string(), value: z.string() });
const networkSchema = z.object({
  network_type: z.string(),
  slug: z.string(),
  chain_id: z.number().int().optional(),
  block_time_ms: z.number().int().positive().optional(),
  confirmation_blocks: z.number().int().optional(),
  rpc_urls: z.array(z.object({ url: z.union([z.string(), secret]) }).passthrough()).default([]),
});
const triggerSchema = z.object({
  name: z.string().optional(),
  trigger_type: z.string(),
  config: z
    .object({
      url: z.union([z.string(), secret]).optional(),
      slack_url: z.union([z.string(), secret]).optional(),
      secret: secret.optional(),
    })
    .passthrough(),
});

type Monitor = z.output<typeof monitorSchema>;
type Network = z.output<typeof networkSchema>;
type Trigger = z.output<typeof triggerSchema>;

export interface MatchEntry {
  name: string;
  addresses: string[];
  events?: Array<{ signature: string; expression?: string }>;
  functions?: Array<{ signature: string; expression?: string }>;
}

export interface WebhookEntry {
  name: string;
  url: string;
  kind: 'json' | 'slack';
  secretEnv?: string;
}

export interface ImportResult {
  fragment: { watch: { match: MatchEntry[]; pollMs?: number; webhooks?: WebhookEntry[] } };
  notes: string[];
}

function parsed<T>(schema: z.ZodType<T>, source: SourceFile, what: string): T {
  const r = schema.safeParse(source.json);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const where = issue?.path.length ? issue.path.join('.') : 'the top level';
  throw inputError(
    'oz-monitor-invalid',
    `${source.file} is not an OpenZeppelin Monitor ${what} file: ${where}: ${issue?.message ?? 'invalid'}`,
    `pass the ${what} JSON files OpenZeppelin Monitor loads (config/${what}s/*.json)`,
  );
}

/** A bare `Name(types)` written out with the names and indexed flags of the matching ABI item, if one has them. */
function fullSignature(
  kind: 'event' | 'function',
  signature: string,
  abis: readonly Abi[],
): string | undefined {
  let item: AbiEvent | AbiFunction;
  try {
    item = parseAbiItem(`${kind} ${signature}`) as AbiEvent | AbiFunction;
  } catch {
    return undefined;
  }
  const types = (i: AbiEvent | AbiFunction) => `${i.name}(${i.inputs.map((p) => p.type).join(',')})`;
  for (const abi of abis) {
    const known = abi.find((i) => i.type === kind && types(i as AbiEvent | AbiFunction) === types(item)) as
      | AbiEvent
      | AbiFunction
      | undefined;
    if (known?.inputs.every((p) => p.name)) {
      const params = known.inputs.map(
        (p) => `${p.type}${'indexed' in p && p.indexed ? ' indexed' : ''} ${p.name}`,
      );
      return `${known.name}(${params.join(',')})`;
    }
  }
  return item.inputs.every((p) => p.name) ? signature : undefined;
}

function abisOf(monitor: Monitor): Abi[] {
  return monitor.addresses.flatMap((a) => {
    const spec = a.contract_spec ?? a.abi;
    return Array.isArray(spec) ? [spec as Abi] : [];
  });
}

/** One condition, written so the match rule can judge it, or a note saying why it cannot. */
function convertCondition(
  monitor: Monitor,
  kind: 'event' | 'function',
  c: z.output<typeof condition>,
  notes: string[],
): { signature: string; expression?: string } | undefined {
  const expression = c.expression?.trim() || undefined;
  const full = fullSignature(kind, c.signature, abisOf(monitor));
  if (!expression) return { signature: full ?? c.signature };
  if (!full && kind === 'event') {
    notes.push(
      `${monitor.name}: event ${c.signature} left out: it has an expression but no contract_spec gives its parameter names and indexed flags (write it in full)`,
    );
    return undefined;
  }
  const signature = full ?? c.signature;
  try {
    const item = parseAbiItem(`${kind} ${signature}`) as AbiEvent | AbiFunction;
    checkExpression(expression, parseExpression(expression), item.inputs, `${kind} ${signature}`);
  } catch (e) {
    if (!isPatchgateError(e)) throw e;
    const why = e.shortMessage;
    notes.push(
      `${monitor.name}: ${kind} ${c.signature} left out: ${why} (patchgate evaluates comparisons joined by AND/OR)`,
    );
    return undefined;
  }
  return { signature, expression };
}

function convertMonitor(
  monitor: Monitor,
  networks: ReadonlyMap<string, Network>,
  notes: string[],
): MatchEntry | undefined {
  const known = monitor.networks.map((slug) => networks.get(slug)).filter((n) => n !== undefined);
  if (known.length > 0 && known.every((n) => n.network_type !== 'EVM')) {
    notes.push(
      `${monitor.name}: not imported: its networks (${monitor.networks.join(', ')}) are not EVM chains (patchgate watches EVM chains only)`,
    );
    return undefined;
  }
  const other = known.filter((n) => n.network_type !== 'EVM').map((n) => n.slug);
  if (other.length > 0)
    notes.push(
      `${monitor.name}: networks ${other.join(', ')} left out: not EVM chains (patchgate watches EVM chains only)`,
    );
  if (monitor.paused) {
    notes.push(`${monitor.name}: not imported: it is paused in OpenZeppelin Monitor`);
    return undefined;
  }
  const addresses: string[] = [];
  for (const a of monitor.addresses) {
    if (isAddress(a.address, { strict: false })) addresses.push(getAddress(a.address));
    else notes.push(`${monitor.name}: address ${a.address} left out: not an EVM address`);
  }
  const events = monitor.match_conditions.events.flatMap(
    (c) => convertCondition(monitor, 'event', c, notes) ?? [],
  );
  const functions = monitor.match_conditions.functions.flatMap(
    (c) => convertCondition(monitor, 'function', c, notes) ?? [],
  );
  for (const t of monitor.match_conditions.transactions) {
    notes.push(
      `${monitor.name}: transaction condition (status ${t.status ?? 'any'}${t.expression ? `, ${t.expression}` : ''}) not mapped: patchgate matches events and calls whatever the transaction's status, and has no transaction-level expressions`,
    );
  }
  for (const s of monitor.trigger_conditions) {
    notes.push(
      `${monitor.name}: trigger condition script ${s.script_path ?? '(unnamed)'} not mapped: patchgate runs no filter scripts; the match alerts without that filter`,
    );
  }
  if (addresses.length === 0 || events.length + functions.length === 0) {
    notes.push(
      `${monitor.name}: not imported: no ${addresses.length === 0 ? 'EVM address' : 'event or function condition'} left to match`,
    );
    return undefined;
  }
  return {
    name: monitor.name,
    addresses,
    ...(events.length > 0 ? { events } : {}),
    ...(functions.length > 0 ? { functions } : {}),
  };
}

function plain(v: string | { type: string; value: string } | undefined): string | undefined {
  return typeof v === 'string' ? v : v?.type === 'plain' ? v.value : undefined;
}

function convertTrigger(name: string, t: Trigger, notes: string[]): WebhookEntry | undefined {
  const kind = t.trigger_type === 'slack' ? 'slack' : t.trigger_type === 'webhook' ? 'json' : undefined;
  if (!kind) {
    notes.push(
      `trigger ${name} (${t.trigger_type}) not mapped: patchgate delivers to JSON webhooks and Slack only`,
    );
    return undefined;
  }
  const url = plain(kind === 'slack' ? t.config.slack_url : t.config.url);
  if (!url) {
    notes.push(
      `trigger ${name}: its URL is kept in ${kind === 'slack' ? 'slack_url' : 'url'} as a secret reference: write the URL into watch.webhooks yourself`,
    );
    return undefined;
  }
  const entry: WebhookEntry = { name: name.replace(/[^\w.-]+/g, '-'), url, kind };
  if (kind === 'json') {
    if (t.config.secret?.type === 'environment') entry.secretEnv = t.config.secret.value;
    else
      notes.push(
        `trigger ${name}: a JSON webhook needs its HMAC secret in an environment variable: set secretEnv on watch.webhooks "${entry.name}"`,
      );
  }
  return entry;
}

/** Map OpenZeppelin Monitor's monitor, network and trigger files onto patchgate's `watch` section, with notes. */
export function importOzMonitor(input: {
  monitors: readonly SourceFile[];
  networks?: readonly SourceFile[];
  triggers?: readonly SourceFile[];
}): ImportResult {
  const notes: string[] = [];
  const networks = new Map<string, Network>();
  for (const f of input.networks ?? []) {
    const n = parsed(networkSchema, f, 'network');
    networks.set(n.slug, n);
  }
  const monitors = input.monitors.map((f) => parsed(monitorSchema, f, 'monitor'));
  const match = monitors.flatMap((m) => convertMonitor(m, networks, notes) ?? []);

  const used = [...new Set(monitors.filter((m) => !m.paused).flatMap((m) => m.networks))];
  const evm = used.map((slug) => networks.get(slug)).filter((n): n is Network => n?.network_type === 'EVM');
  for (const slug of used.filter((s) => !networks.has(s)))
    notes.push(
      `network ${slug}: no network file given for it (--network): its poll interval is not carried over`,
    );
  if (evm.length > 1)
    notes.push(
      `networks ${evm.map((n) => n.slug).join(', ')}: patchgate watches one chain per process (--rpc): run one watcher per chain`,
    );
  const first = evm[0];
  for (const n of evm) {
    const url = plain(n.rpc_urls[0]?.url);
    notes.push(
      `network ${n.slug}${n.chain_id !== undefined ? ` (chain ${n.chain_id})` : ''}: pass its node with --rpc${url ? ` ${url}` : ''}; confirmation_blocks${n.confirmation_blocks !== undefined ? ` ${n.confirmation_blocks}` : ''} not mapped: patchgate judges each block at once and undoes reorganisations (watch.reorgDepth)`,
    );
  }
  const triggers: WebhookEntry[] = [];
  const names = new Set(monitors.flatMap((m) => (m.paused ? [] : m.triggers)));
  const found = new Set<string>();
  for (const f of input.triggers ?? []) {
    const all = parsed(z.record(z.string(), triggerSchema), f, 'trigger');
    for (const [name, t] of Object.entries(all)) {
      if (!names.has(name)) continue;
      found.add(name);
      const w = convertTrigger(name, t, notes);
      if (w) triggers.push(w);
    }
  }
  for (const name of [...names].filter((n) => !found.has(n)))
    notes.push(`trigger ${name}: not in the trigger files given (--trigger): not mapped`);
  if (triggers.length > 0)
    notes.push(
      'webhooks: patchgate sends every alert to every webhook (minSeverity filters), not per monitor',
    );
  const pollMs =
    first?.block_time_ms !== undefined ? Math.min(60_000, Math.max(20, first.block_time_ms)) : undefined;
  return {
    fragment: {
      watch: {
        match,
        ...(pollMs !== undefined ? { pollMs } : {}),
        ...(triggers.length > 0 ? { webhooks: triggers } : {}),
      },
    },
    notes,
  };
}
