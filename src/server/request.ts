/** Reading a request and writing an answer, as every route does: a JSON body, zod-checked parts, big integers. */
import type { Context } from 'hono';
import type { z } from 'zod';
import { inputError } from '../core/errors.js';
import { jsonLine } from '../core/report-json.js';

export async function jsonBody(c: Context): Promise<unknown> {
  try {
    return await c.req.json();
  } catch {
    throw inputError(
      'bad-request',
      'the body is not JSON',
      'send Content-Type: application/json with a JSON object',
    );
  }
}

/** `schema` applied to a request part; a mismatch is `bad-request` naming the field. */
export function parse<T extends z.ZodType>(schema: T, value: unknown, where: string): z.output<T> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const field = issue?.path.join('.') || where;
  throw inputError(
    'bad-request',
    `${where} ${field}: ${issue?.message ?? 'invalid'}`,
    'the route and its parameters: GET /openapi.json',
  );
}

/** An OpenAPI path (`/api/patches/{digest}`) as Hono writes it (`/api/patches/:digest`). */
export const hono = (path: string) => path.replace(/\{(\w+)\}/g, ':$1');

/** A JSON answer whose big integers (nonces, ETAs) are decimal strings, as the CLI's `--format json` writes them. */
export const bigJson = (c: Context, value: unknown) =>
  c.body(jsonLine(value), 200, { 'content-type': 'application/json; charset=UTF-8' });

/** The request's body as text, refused past `max` bytes before it is parsed. */
export async function boundedText(c: Context, max: number): Promise<string> {
  const text = await c.req.text();
  if (Buffer.byteLength(text) > max) {
    throw inputError('bad-request', `the body is over ${max} bytes`, 'an approval is a few hundred bytes');
  }
  return text;
}
