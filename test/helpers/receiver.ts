/**
 * A real webhook receiver for tests: a node:http server on a free local port that records every request (method,
 * path, headers, raw body) and answers with whatever `answer` says (200 by default). It can be stopped and started
 * again on the same port, to play a receiver that is down and comes back.
 */
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export type Answer = (request: Received, response: ServerResponse) => void;

export interface Receiver {
  url: string;
  host: string;
  received: Received[];
  /** How the next requests are answered (default: 200 "ok"). */
  answer: Answer;
  /** Stops listening (open connections are cut): the receiver is down. */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
}

const ok: Answer = (_req, res) => res.writeHead(200).end('ok');

export async function startReceiver(path = '/hook'): Promise<Receiver> {
  let server: Server | undefined;
  let port = 0;
  const receiver: Receiver = {
    url: '',
    host: '',
    received: [],
    answer: ok,
    async stop() {
      const s = server;
      server = undefined;
      if (!s) return;
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    },
    async start() {
      const s = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const request = {
            method: req.method ?? '',
            path: req.url ?? '',
            headers: req.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          };
          receiver.received.push(request);
          receiver.answer(request, res);
        });
      });
      await new Promise<void>((resolve) => s.listen(port, '127.0.0.1', () => resolve()));
      port = (s.address() as AddressInfo).port;
      server = s;
      receiver.host = `127.0.0.1:${port}`;
      receiver.url = `http://${receiver.host}${path}`;
    },
  };
  await receiver.start();
  return receiver;
}
