/**
 * Idle keep-alive connections outlive the clients' own idea of them: Node closes an idle socket after 5 s, and a
 * client (undici, a browser, a proxy) that sends on it in that instant gets ECONNRESET — measured under 50 clients
 * at once (bench/server.mjs). The server keeps them longer than common clients and proxies do (60 s).
 */
import type { Server } from 'node:http';

export function keepAlive(server: unknown): void {
  const s = server as Server;
  s.keepAliveTimeout = 65_000;
  s.headersTimeout = 66_000;
}
