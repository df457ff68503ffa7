import { createServer, type RequestListener, type Server } from 'node:http';
import type { Socket } from 'node:net';
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
  /** Per TCP peer address, a share of the whole; 0 turns the cap off. @default 100 (5% of the default cap) */
  readonly maxConnectionsPerClient?: number;
  /**
   * A connection that has not completed its first request by then is closed: it has sent nothing
   * useful. @default 5000
   */
  readonly firstRequestTimeoutMs?: number;
  /**
   * At the cap, shed the connections that have sent the least (no complete request yet, oldest
   * first, then idle keep-alives) for the newcomer, instead of refusing it. @default true
   */
  readonly shedAtCap?: boolean;
}

/** What the server knows of one open connection, to choose whom to shed. */
interface Tracked {
  readonly socket: Socket;
  readonly openedAt: number;
  requests: number;
  active: number;
  idleSince: number;
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
 * and per peer (a share of the whole), connections that never complete a request closed after
 * `firstRequestTimeoutMs`, at the cap the connection that has sent the least given up for a
 * newcomer (a header-trickling flood cannot lock honest clients out), and malformed requests answered with a problem and logged at debug level without
 * the raw bytes (they hold the request's headers and body: tokens, passwords).
 */
export function createHttpServer(handler: RequestListener, log: Logger, limits: ServerLimits = {}): Server {
  const headersTimeout = limits.headersTimeoutMs ?? 20_000;
  const requestTimeout = limits.requestTimeoutMs ?? 30_000;
  // Node enforces both timeouts by a sweep (30 s apart by default): sweep well inside them.
  const connectionsCheckingInterval = Math.max(50, Math.min(1000, headersTimeout / 4));
  const server = createServer({ connectionsCheckingInterval }, handler);
  server.headersTimeout = headersTimeout;
  server.requestTimeout = requestTimeout;
  // Idle connections outlive the load balancer's (nginx' 60 s), so the balancer never reuses a
  // connection this process is just closing (a source of sporadic 502s).
  server.keepAliveTimeout = limits.keepAliveTimeoutMs ?? 65_000;
  const cap = limits.maxConnections ?? 2000;
  const perClient = limits.maxConnectionsPerClient ?? 100;
  const firstRequestTimeout = limits.firstRequestTimeoutMs ?? 5_000;
  const shed = limits.shedAtCap ?? true;
  // Node's own cap refuses the newcomer; with shedding the server holds the line itself.
  if (!shed) server.maxConnections = cap;
  const open = new Map<string, number>();
  const tracked = new Map<Socket, Tracked>();

  /** The connection to give up for a newcomer: never one with a request in progress. */
  const victim = (): Tracked | undefined => {
    let best: Tracked | undefined;
    const rank = (t: Tracked) => (t.requests === 0 ? 0 : 1);
    for (const t of tracked.values()) {
      if (t.active > 0) continue;
      const since = t.requests === 0 ? t.openedAt : t.idleSince;
      const bestSince = best ? (best.requests === 0 ? best.openedAt : best.idleSince) : Infinity;
      if (!best || rank(t) < rank(best) || (rank(t) === rank(best) && since < bestSince)) best = t;
    }
    return best;
  };

  server.on('connection', (socket: Socket) => {
    const peer = socket.remoteAddress ?? '';
    if (perClient > 0 && (open.get(peer) ?? 0) >= perClient) {
      log.debug({ peer }, 'connection refused: this peer holds its share');
      socket.destroy();
      return;
    }
    if (shed && tracked.size >= cap) {
      const given = victim();
      if (!given) {
        log.debug({ peer }, 'connection refused: every connection has a request in progress');
        socket.destroy();
        return;
      }
      log.debug({ peer: given.socket.remoteAddress, requests: given.requests }, 'connection shed at the cap');
      given.socket.destroy();
      tracked.delete(given.socket);
    }
    const now = Date.now();
    const entry: Tracked = { socket, openedAt: now, requests: 0, active: 0, idleSince: now };
    tracked.set(socket, entry);
    open.set(peer, (open.get(peer) ?? 0) + 1);
    // A connection that sends no complete request in time holds a slot for nothing.
    const silent = setTimeout(() => {
      if (entry.requests === 0) socket.destroy();
    }, firstRequestTimeout);
    silent.unref();
    socket.once('close', () => {
      clearTimeout(silent);
      tracked.delete(socket);
      const left = (open.get(peer) ?? 1) - 1;
      if (left > 0) open.set(peer, left);
      else open.delete(peer);
    });
  });
  server.on('request', (req, res) => {
    const entry = tracked.get(req.socket);
    if (!entry) return;
    entry.requests++;
    entry.active++;
    res.once('close', () => {
      entry.active--;
      entry.idleSince = Date.now();
    });
  });
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
