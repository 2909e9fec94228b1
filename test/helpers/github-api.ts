/**
 * A stand-in for GitHub's REST API on 127.0.0.1, for what `patchgate ci` calls: list a pull request's comments
 * (paged), create one, update one. It keeps the comments in memory, checks the token, records every request, and
 * can be told to fail (`failNext`) the way GitHub does: 403 for a fork's read-only token, 5xx for a bad moment.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeComment {
  id: number;
  body: string;
  user: { login: string; type: 'Bot' | 'User' };
  html_url: string;
}

export interface FakeGitHub {
  url: string;
  token: string;
  comments: Map<number, FakeComment[]>;
  requests: Array<{ method: string; path: string; authorization?: string; body: string }>;
  /** Statuses the next requests get instead of an answer, in order. */
  failNext: number[];
  add(pr: number, body: string, user?: FakeComment['user']): FakeComment;
  close(): Promise<void>;
}

export async function startFakeGitHub(token = 'test-token-not-a-secret'): Promise<FakeGitHub> {
  let nextId = 1000;
  const fake: FakeGitHub = {
    url: '',
    token,
    comments: new Map(),
    requests: [],
    failNext: [],
    add(pr, body, user = { login: 'github-actions[bot]', type: 'Bot' }) {
      const c = { id: nextId++, body, user, html_url: `https://github.example/pr/${pr}#c${nextId}` };
      fake.comments.set(pr, [...(fake.comments.get(pr) ?? []), c]);
      return c;
    },
    close: async () => {},
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const url = new URL(req.url ?? '/', 'http://x');
      fake.requests.push({
        method: req.method ?? '',
        path: url.pathname + url.search,
        ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
        body,
      });
      const send = (status: number, value: unknown) =>
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
      // A misbehaving API that echoes the credentials it was sent in its error.
      if (url.pathname.startsWith('/echo/'))
        return send(401, { message: `Bad credentials ${req.headers.authorization ?? ''}` });
      const fail = fake.failNext.shift();
      if (fail) return send(fail, { message: `fake failure ${fail}` });
      if (req.headers.authorization !== `Bearer ${fake.token}`)
        return send(401, { message: 'Bad credentials' });
      const list = url.pathname.match(/^\/repos\/[^/]+\/[^/]+\/issues\/(\d+)\/comments$/);
      const one = url.pathname.match(/^\/repos\/[^/]+\/[^/]+\/issues\/comments\/(\d+)$/);
      if (list && req.method === 'GET') {
        const all = fake.comments.get(Number(list[1])) ?? [];
        const per = Number(url.searchParams.get('per_page') ?? 30);
        const page = Number(url.searchParams.get('page') ?? 1);
        return send(200, all.slice((page - 1) * per, page * per));
      }
      if (list && req.method === 'POST') {
        const c = fake.add(Number(list[1]), (JSON.parse(body) as { body: string }).body);
        return send(201, c);
      }
      if (one && req.method === 'PATCH') {
        const c = [...fake.comments.values()].flat().find((x) => x.id === Number(one[1]));
        if (!c) return send(404, { message: 'Not Found' });
        c.body = (JSON.parse(body) as { body: string }).body;
        return send(200, c);
      }
      return send(404, { message: 'Not Found' });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return fake;
}
