/**
 * The store's schema: plain PostgreSQL, the same on PGlite and on a server. Applied on every open
 * (`create … if not exists`, `add column if not exists`), so an older state dir is brought forward in place.
 */
import { PATCH_STATES } from '../core/patch-states.js';

/** `'proposed','approved',…`: the CHECK on patch states, from the one table of states. */
const PATCH_STATE_LIST = PATCH_STATES.map((s) => `'${s}'`).join(',');

const SCHEMA = `
create table if not exists patches (
  digest text primary key,
  chain_id bigint not null,
  proxy text not null,
  implementation text not null,
  codehash text not null,
  calldata text not null,
  lane text not null check (lane in ('standard', 'emergency')),
  evidence jsonb not null,
  state text not null check (state in (${PATCH_STATE_LIST})),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
alter table patches add column if not exists target text not null default '';
alter table patches add column if not exists plan jsonb;
create table if not exists embargoes (
  digest text primary key references patches(digest),
  commitment text not null unique,
  bundle text not null,
  created_at timestamptz not null default now(),
  revealed_at timestamptz
);
create table if not exists evidence (
  digest text not null references patches(digest),
  stage text not null,
  hash text not null,
  body text not null,
  primary key (digest, stage)
);
create table if not exists approvals (
  digest text not null references patches(digest),
  signer text not null,
  nonce numeric not null,
  expiry numeric not null,
  signature text not null,
  created_at timestamptz not null default now(),
  primary key (digest, signer)
);
create table if not exists safe_signatures (
  digest text not null references patches(digest),
  purpose text not null check (purpose in ('schedule', 'execute', 'cancel')),
  safe_nonce numeric not null,
  owner text not null,
  safe_tx_hash text not null,
  signature text not null,
  created_at timestamptz not null default now(),
  primary key (digest, purpose, safe_nonce, owner)
);
create table if not exists pending_txs (
  digest text not null references patches(digest),
  step text not null,
  tx_hash text not null,
  raw text not null,
  created_at timestamptz not null default now(),
  primary key (digest, step, tx_hash)
);
create table if not exists transitions (
  id bigserial primary key,
  digest text not null references patches(digest),
  from_state text,
  to_state text not null,
  tx_hash text,
  at timestamptz not null default now()
);
create table if not exists watch_cursors (
  name text not null,
  chain_id bigint not null,
  blocks jsonb not null,
  updated_at timestamptz not null default now(),
  primary key (name, chain_id)
);
create table if not exists watch_pauses (
  chain_id bigint not null,
  target text not null,
  guardian text not null,
  nonce bigint not null,
  trigger text not null,
  raw_txs jsonb not null,
  state text not null check (state in ('sent', 'mined', 'reverted', 'superseded')),
  tx_hash text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (chain_id, guardian, nonce)
);
create table if not exists watch_responses (
  source text primary key,
  action text not null,
  operation text,
  pending_tx jsonb,
  state text not null check (state in ('owed', 'done')),
  created_at timestamptz not null default now(),
  done_at timestamptz
);
create table if not exists watch_leases (
  name text primary key,
  holder text not null,
  token bigint not null,
  expires_at timestamptz not null
);
create table if not exists watch_deliveries (
  sink text not null,
  origin text not null,
  next_index bigint not null,
  updated_at timestamptz not null default now(),
  primary key (sink, origin)
);
create table if not exists auth_nonces (
  nonce text primary key,
  expires_at timestamptz not null,
  used_at timestamptz
);
create table if not exists job_events (
  job_id text not null,
  seq bigserial,
  at timestamptz not null default now(),
  kind text not null,
  message text not null,
  primary key (job_id, seq)
);
create table if not exists job_evidence (
  job_id text primary key,
  kind text not null,
  verdict text not null,
  report_digest text not null,
  report jsonb not null,
  worker text not null,
  created_at timestamptz not null default now()
);
create table if not exists rollouts (
  id text primary key,
  name text not null,
  lane text not null check (lane in ('standard', 'emergency')),
  targets jsonb not null,
  halted jsonb,
  created_at timestamptz not null default now()
);
create table if not exists reviews (
  digest text not null,
  signer text not null,
  verdict text not null,
  text text not null,
  signature text not null unique,
  created_at timestamptz not null default now(),
  primary key (digest, signer, signature)
);
create table if not exists auth_sessions (
  token_hash text primary key,
  address text not null,
  chain_id bigint not null,
  expires_at timestamptz not null,
  created_at timestamptz not null default now()
);
`;

export function schemaStatements(): string[] {
  return SCHEMA.split(';')
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * Taken first in every schema transaction on PostgreSQL: concurrent `create table if not exists` of the same
 * table race in the catalog (a unique violation on pg_type), so processes opening a new database take turns.
 * Released at commit. (PGlite has one process per store.)
 */
export const SCHEMA_LOCK = `select pg_advisory_xact_lock(hashtext('patchgate:schema'))`;
