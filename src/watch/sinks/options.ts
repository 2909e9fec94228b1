/**
 * A webhook sink's options, typed and checked before anything is sent: an http(s) URL without credentials in it, a
 * secret for the signed `json` kind, sane limits. Every message names the sink and the bad value — but never the
 * secret, and the URL only as `displayUrl` prints it (a Slack URL carries its token in the path).
 */
import { displayUrl } from '../../chain/rpc.js';
import { inputError } from '../../core/errors.js';
import { SEVERITIES, type Severity } from '../../core/finding.js';

export interface WebhookSinkOptions {
  /** Names the sink: its delivery position in the store is kept under this name. */
  name: string;
  url: string;
  /** `json`: patchgate's body, HMAC-signed; `slack`: a Slack-compatible incoming-webhook body, unsigned. */
  kind: 'json' | 'slack';
  /** The HMAC key for `json` (required there), read by the caller from the variable the config names. */
  secret?: string;
  /** Alerts below this are not sent (default: `info`, everything). */
  minSeverity?: Severity;
  /** Messages per rolling minute (default 30); alerts beyond it are folded into one summary, never dropped. */
  maxPerMinute?: number;
  /** Per request (default 10 000 ms). */
  timeoutMs?: number;
}

export type CheckedSinkOptions = Required<Omit<WebhookSinkOptions, 'secret'>> & { secret?: string };

function checkUrl(name: string, url: string): void {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  const shown = displayUrl(url);
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || !parsed.host) {
    throw inputError(
      'bad-webhook-url',
      `sink "${name}": url "${shown}" is not an http(s) URL`,
      'e.g. https://hooks.example.com/patchgate',
    );
  }
  if (parsed.username || parsed.password) {
    throw inputError(
      'bad-webhook-url',
      `sink "${name}": url "${shown}" has a user or password in it (not printed)`,
      'put the credential in the URL path or use kind "json" with secretEnv',
    );
  }
}

function checkWhole(name: string, what: string, value: number, min: number, max: number): void {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw inputError(
      'bad-webhook-sink',
      `sink "${name}": ${what} ${value} is not a whole number in ${min}–${max}`,
    );
  }
}

/** The options with defaults filled in, or an input error (exit 2) naming the sink and what is wrong. */
export function checkSinkOptions(options: WebhookSinkOptions): CheckedSinkOptions {
  // Field by field: an option passed as `undefined` takes its default (a spread would keep the undefined, and
  // an undefined minSeverity would let no alert through).
  const o: CheckedSinkOptions = {
    ...options,
    minSeverity: options.minSeverity ?? 'info',
    maxPerMinute: options.maxPerMinute ?? 30,
    timeoutMs: options.timeoutMs ?? 10_000,
  };
  if (!/^[a-z0-9][a-z0-9_-]{0,62}$/i.test(o.name)) {
    throw inputError(
      'bad-webhook-sink',
      `sink name "${o.name.slice(0, 64)}" is not a name (letters, digits, - and _)`,
    );
  }
  checkUrl(o.name, o.url);
  if (o.kind !== 'json' && o.kind !== 'slack') {
    throw inputError(
      'bad-webhook-sink',
      `sink "${o.name}": kind "${String(o.kind).slice(0, 20)}" is not json or slack`,
    );
  }
  if (!SEVERITIES.includes(o.minSeverity)) {
    throw inputError(
      'bad-webhook-sink',
      `sink "${o.name}": minSeverity "${String(o.minSeverity).slice(0, 20)}" is not one of ${SEVERITIES.join(', ')}`,
    );
  }
  if (o.kind === 'json' && !o.secret) {
    throw inputError(
      'webhook-secret-missing',
      `sink "${o.name}" (kind json) has no secret: its deliveries would be unsigned`,
      "set the environment variable named by the sink's secretEnv",
    );
  }
  checkWhole(o.name, 'maxPerMinute', o.maxPerMinute, 1, 10_000);
  checkWhole(o.name, 'timeoutMs', o.timeoutMs, 1, 300_000);
  return o;
}

/**
 * The secret a sink's `secretEnv` names: refused (exit 2, naming the variable, never a value) when the name is not
 * a variable name or the variable is unset or empty.
 */
export function secretFromEnv(sink: string, variable: string, env: NodeJS.ProcessEnv = process.env): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(variable)) {
    throw inputError(
      'bad-env-name',
      `sink "${sink}": secretEnv takes the name of an environment variable (letters, digits and _), and the value given is not one (it is not printed)`,
      'export PATCHGATE_WEBHOOK_SECRET=… and set secretEnv to PATCHGATE_WEBHOOK_SECRET',
    );
  }
  const value = env[variable];
  if (!value) {
    // A secret pasted where its variable's name belongs is a name too (letters and digits): only a conventional
    // UPPER_CASE name is repeated.
    const named = /^[A-Z_][A-Z0-9_]*$/.test(variable) ? variable : '(not printed: not an UPPER_CASE name)';
    throw inputError(
      'webhook-secret-missing',
      `sink "${sink}": the environment variable ${named} (its secretEnv) is ${value === undefined ? 'not set' : 'empty'}`,
      `export the variable secretEnv names, set to a long random string shared with the receiver`,
    );
  }
  return value;
}
