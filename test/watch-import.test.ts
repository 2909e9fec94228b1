/**
 * `patchgate watch-import`: OpenZeppelin Monitor files (test/fixtures/oz-monitor/, in its own format) converted by
 * the pure function and by the CLI — what maps (addresses, signatures written out from contract_spec, expressions,
 * poll interval, webhook and Slack triggers) and the note for each thing that does not; malformed JSON is exit 2
 * naming the file; and the fragment, merged into the example's config, passes the real schema and makes rules.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPublicClient, http, type PublicClient } from 'viem';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/load.js';
import { errorOf } from '../src/core/errors.fixture.js';
import { importOzMonitor, type SourceFile } from '../src/watch/oz-monitor.js';
import { matchRule } from '../src/watch/rules/match.js';
import { runCli } from './helpers/cli.js';

const DIR = fileURLToPath(new URL('./fixtures/oz-monitor/', import.meta.url));
const EXAMPLE = fileURLToPath(new URL('../examples/vault/patchgate.config.json', import.meta.url));
const path = (name: string) => join(DIR, name);
const file = (name: string): SourceFile => ({
  file: name,
  json: JSON.parse(readFileSync(path(name), 'utf8')),
});
const ZERO = '0x0000000000000000000000000000000000000000';

const USDC_MATCH = {
  name: 'Large Transfer of USDC Token',
  addresses: ['0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48'],
  events: [
    {
      signature: 'Transfer(address indexed from,address indexed to,uint256 value)',
      expression: 'value > 10000000000',
    },
  ],
  functions: [
    { signature: 'transfer(address to,uint256 value)', expression: `value > 1000000000 AND to != ${ZERO}` },
  ],
};
const VAULT_MATCH = {
  name: 'Vault admin calls',
  addresses: ['0x0165878A594ca255338adfa4d48449f69242Eb8F'],
  events: [
    { signature: 'FeeRecipientUpdated(address indexed recipient)', expression: `recipient != ${ZERO}` },
  ],
  functions: [
    { signature: 'setFlashFee(uint256)', expression: '$0 >= 100' },
    { signature: 'setFeeRecipient(address)' },
  ],
};

const ALL = {
  monitors: ['large_transfer_usdc.json', 'vault_admin.json', 'stellar_swaps.json', 'paused_monitor.json'].map(
    file,
  ),
  networks: ['ethereum_mainnet.json', 'stellar_mainnet.json'].map(file),
  triggers: [file('triggers.json')],
};

describe('importOzMonitor', () => {
  it('maps addresses, full signatures from contract_spec, expressions, the poll interval and webhook/Slack triggers', () => {
    expect(importOzMonitor(ALL).fragment).toEqual({
      watch: {
        match: [USDC_MATCH, VAULT_MATCH],
        pollMs: 12000,
        webhooks: [
          {
            name: 'evm_large_transfer_usdc_slack',
            url: 'https://hooks.slack.com/services/T000/B000/XXXX',
            kind: 'slack',
          },
          {
            name: 'evm_large_transfer_usdc_webhook',
            url: 'https://alerts.example.org/oz',
            kind: 'json',
            secretEnv: 'WEBHOOK_SECRET',
          },
        ],
      },
    });
  });

  it('says what did not map and why', () => {
    expect(importOzMonitor(ALL).notes).toEqual([
      'Large Transfer of USDC Token: event Approval(address,address,uint256) left out: it has an expression but no contract_spec gives its parameter names and indexed flags (write it in full)',
      "Large Transfer of USDC Token: transaction condition (status Success) not mapped: patchgate matches events and calls whatever the transaction's status, and has no transaction-level expressions",
      'Large Transfer of USDC Token: trigger condition script ./config/filters/evm_filter_block_number.sh not mapped: patchgate runs no filter scripts; the match alerts without that filter',
      'Vault admin calls: networks stellar_mainnet left out: not EVM chains (patchgate watches EVM chains only)',
      'Vault admin calls: function withdraw(uint256,address,address) left out: expression "$0 * 2 > 10": unexpected "*" at position 3 (patchgate evaluates comparisons joined by AND/OR)',
      'Stellar swaps: not imported: its networks (stellar_mainnet) are not EVM chains (patchgate watches EVM chains only)',
      'Old mint watch: not imported: it is paused in OpenZeppelin Monitor',
      'network ethereum_mainnet (chain 1): pass its node with --rpc https://eth.drpc.org; confirmation_blocks 12 not mapped: patchgate judges each block at once and undoes reorganisations (watch.reorgDepth)',
      'trigger evm_large_transfer_usdc_email (email) not mapped: patchgate delivers to JSON webhooks and Slack only',
      'webhooks: patchgate sends every alert to every webhook (minSeverity filters), not per monitor',
    ]);
  });

  it('notes the networks and triggers it was not given files for', () => {
    const r = importOzMonitor({ monitors: [file('large_transfer_usdc.json')] });
    expect(r.fragment.watch.pollMs).toBeUndefined();
    expect(r.notes.filter((n) => /^(network|trigger) /.test(n))).toEqual([
      'network ethereum_mainnet: no network file given for it (--network): its poll interval is not carried over',
      'trigger evm_large_transfer_usdc_slack: not in the trigger files given (--trigger): not mapped',
      'trigger evm_large_transfer_usdc_webhook: not in the trigger files given (--trigger): not mapped',
      'trigger evm_large_transfer_usdc_email: not in the trigger files given (--trigger): not mapped',
    ]);
  });

  it('refuses a file that is not in the format, naming it and the field (exit 2)', async () => {
    const e = await errorOf(() =>
      importOzMonitor({ monitors: [{ file: 'm.json', json: { name: 'x', addresses: 'no' } }] }),
    );
    expect([e.code, e.exitCode, e.shortMessage]).toEqual([
      'oz-monitor-invalid',
      2,
      'm.json is not an OpenZeppelin Monitor monitor file: addresses: Invalid input: expected array, received string',
    ]);
  });
});

describe('patchgate watch-import', () => {
  const args = [
    'watch-import',
    ...['large_transfer_usdc.json', 'vault_admin.json', 'stellar_swaps.json', 'paused_monitor.json'].flatMap(
      (f) => ['--monitor', path(f)],
    ),
    ...['ethereum_mainnet.json', 'stellar_mainnet.json'].flatMap((f) => ['--network', path(f)]),
    '--trigger',
    path('triggers.json'),
  ];

  it('prints the fragment on stdout and each unmapped part on stderr', () => {
    const r = runCli(args);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(importOzMonitor(ALL).fragment);
    expect(r.stderr.split('\n').filter(Boolean)).toEqual(
      importOzMonitor(ALL).notes.map((n) => `not mapped: ${n}`),
    );
  });

  it('with --format json and --out, writes {fragment, notes} to the file', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'pg-ozm-')), 'watch.json');
    const r = runCli([...args, '--format', 'json', '--out', out]);
    expect([r.code, r.stdout]).toEqual([0, '']);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(importOzMonitor(ALL));
  });

  it('exits 2 on malformed JSON, naming the file', () => {
    const r = runCli(['watch-import', '--monitor', path('malformed.json'), '--format', 'json']);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toMatch(
      new RegExp(`^patchgate: --monitor ${path('malformed.json')} is not JSON: `),
    );
    expect(JSON.parse(r.stdout)).toMatchObject({ verdict: 'error', error: { code: 'oz-monitor-invalid' } });
  });
});

describe('the imported fragment in a config', () => {
  it('passes the real schema merged into the example config, and every match makes a rule', async () => {
    const example = JSON.parse(readFileSync(EXAMPLE, 'utf8')) as Record<string, unknown>;
    const { fragment } = importOzMonitor(ALL);
    const config = await parseConfig(JSON.stringify({ ...example, ...fragment }), 'patchgate.config.json');
    expect(config.watch?.pollMs).toBe(12000);
    expect(config.watch?.match).toEqual([
      { ...USDC_MATCH, respond: 'alert' },
      { ...VAULT_MATCH, respond: 'alert' },
    ]);
    expect(config.watch?.webhooks.map((w) => [w.name, w.kind])).toEqual([
      ['evm_large_transfer_usdc_slack', 'slack'],
      ['evm_large_transfer_usdc_webhook', 'json'],
    ]);
    // No RPC happens when a rule is made: the signatures and expressions are checked there.
    const client = createPublicClient({ transport: http('http://127.0.0.1:9') }) as PublicClient;
    const rules = (config.watch?.match ?? []).map((m) =>
      matchRule({
        client,
        name: m.name,
        addresses: m.addresses as `0x${string}`[],
        events: m.events ?? [],
        functions: m.functions ?? [],
      }),
    );
    expect(rules.map((r) => r.name)).toEqual(['large-transfer-of-usdc-token', 'vault-admin-calls']);
  });
});
