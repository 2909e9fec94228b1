/** The OpenAPI 3.1 document of the API, made from the route table (routes.ts) and its zod schemas. */
import { z } from 'zod';
import { VERSION } from '../core/version.js';
import { ROUTES, type RouteSpec } from './routes.js';

const ERROR = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', description: 'a stable code of docs/errors.md' },
        message: { type: 'string' },
        hint: { type: 'string' },
      },
    },
  },
};

function parameters(spec: RouteSpec): unknown[] {
  const out: unknown[] = [];
  for (const [where, schema] of [
    ['path', spec.params],
    ['query', spec.query],
  ] as const) {
    if (!schema) continue;
    const json = z.toJSONSchema(schema, { io: 'input' }) as {
      properties?: Record<string, { description?: string }>;
      required?: string[];
    };
    for (const [name, s] of Object.entries(json.properties ?? {})) {
      const { description, ...rest } = s;
      out.push({
        name,
        in: where,
        required: where === 'path' || (json.required ?? []).includes(name),
        ...(description ? { description } : {}),
        schema: rest,
      });
    }
  }
  return out;
}

export function openApiDocument(): unknown {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [id, spec] of Object.entries(ROUTES) as [string, RouteSpec][]) {
    paths[spec.path] ??= {};
    (paths[spec.path] as Record<string, unknown>)[spec.method] = {
      operationId: id,
      summary: spec.summary,
      parameters: parameters(spec),
      ...(spec.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: z.toJSONSchema(spec.body, { io: 'input' }) } },
            },
          }
        : {}),
      ...(spec.signedIn ? { security: [{ session: [] }, { bearer: [] }] } : {}),
      ...(spec.role
        ? {
            description: `Needs the ${spec.role} role (docs/server.md, Roles).`,
            'x-patchgate-role': spec.role,
          }
        : {}),
      responses: {
        200: { description: spec.returns, content: { 'application/json': { schema: { type: 'object' } } } },
        400: {
          description: 'a parameter does not fit its schema',
          content: { 'application/json': { schema: ERROR } },
        },
        404: {
          description: 'no such patch, entry or route',
          content: { 'application/json': { schema: ERROR } },
        },
        ...(spec.signedIn
          ? { 401: { description: 'not signed in', content: { 'application/json': { schema: ERROR } } } }
          : {}),
        ...(spec.role
          ? {
              403: {
                description: `the account is not ${spec.role === 'approver' || spec.role === 'executor' ? 'an' : 'a'} ${spec.role}, or the approval is another account's`,
                content: { 'application/json': { schema: ERROR } },
              },
              409: {
                description: 'the patch is not in a state this step starts from, or its time has not come',
                content: { 'application/json': { schema: ERROR } },
              },
              503: {
                description:
                  'the server was started without --rpc (or, for queue and execute, without a relayer key)',
                content: { 'application/json': { schema: ERROR } },
              },
            }
          : {}),
        500: { description: 'the store failed', content: { 'application/json': { schema: ERROR } } },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'patchgate',
      version: VERSION,
      description:
        'The patches in a patchgate store and their transparency log; with --rpc, approvals, queue and execute by role.',
    },
    paths,
    components: {
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: 'patchgate_session' },
        bearer: { type: 'http', scheme: 'bearer' },
      },
    },
  };
}
