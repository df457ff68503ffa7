import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type Koa from 'koa';
import type { Logger } from 'pino';

export interface ServerLimits {
  /** @default 20000 */
  readonly headersTimeoutMs?: number;
  /** @default 30000 */
  readonly requestTimeoutMs?: number;
  /** @default 65000 */
  readonly keepAliveTimeoutMs?: number;
  /** @default 2000 */
  readonly maxConnections?: number;
  /** Per TCP peer address; 0 turns the cap off. @default 200 */
  readonly maxConnectionsPerClient?: number;
}

function problemResponse(status: 400 | 408, title: string, detail: string): string {
  const body = JSON.stringify({ type: 'about:blank', title, status, detail });
  return [
    `HTTP/1.1 ${status} ${title}`,
    'Content-Type: application/problem+json',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
    '',
    body,
  ].join('\r\n');
}

const BAD_REQUEST = problemResponse(400, 'Bad Request', 'malformed HTTP request');
const TIMED_OUT = problemResponse(408, 'Request Timeout', 'the request took too long to arrive');

/**
 * The HTTP server around the app: bounded time for headers and bodies, bounded connections in all
 * and per peer, and malformed requests answered with a problem and logged at debug level without
 * the raw bytes (they hold the request's headers and body: tokens, passwords).
 */
export function createHttpServer(app: Koa, log: Logger, limits: ServerLimits = {}): Server {
  const headersTimeout = limits.headersTimeoutMs ?? 20_000;
  const requestTimeout = limits.requestTimeoutMs ?? 30_000;
  // Node enforces both timeouts by a sweep (30 s apart by default): sweep well inside them.
  const connectionsCheckingInterval = Math.max(50, Math.min(1000, headersTimeout / 4));
  const server = createServer({ connectionsCheckingInterval }, app.callback());
  server.headersTimeout = headersTimeout;
  server.requestTimeout = requestTimeout;
  // Idle connections outlive the load balancer's (nginx' 60 s), so the balancer never reuses a
  // connection this process is just closing (a source of sporadic 502s).
  server.keepAliveTimeout = limits.keepAliveTimeoutMs ?? 65_000;
  server.maxConnections = limits.maxConnections ?? 2000;
  const perClient = limits.maxConnectionsPerClient ?? 200;
  const open = new Map<string, number>();
  if (perClient > 0) {
    server.on('connection', (socket: Socket) => {
      const peer = socket.remoteAddress ?? '';
      const count = (open.get(peer) ?? 0) + 1;
      if (count > perClient) {
        log.debug({ peer }, 'connection refused: too many from this peer');
        socket.destroy();
        return;
      }
      open.set(peer, count);
      socket.once('close', () => {
        const left = (open.get(peer) ?? 1) - 1;
        if (left > 0) open.set(peer, left);
        else open.delete(peer);
      });
    });
  }
  // As Node's own handler does, answer only if nothing was written yet, then close.
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    log.debug({ code: error.code }, 'malformed, slow or abandoned request');
    if (socket.writable && socket.bytesWritten === 0) {
      socket.write(error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? TIMED_OUT : BAD_REQUEST);
    }
    socket.destroy();
  });
  return server;
}
