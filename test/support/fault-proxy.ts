import { createServer, type Server, Socket } from 'node:net';
import { freePort } from './redis-server';

/**
 * What the link between a client and its server does:
 * - `pass`: forwards both ways;
 * - `hold`: forwards nothing and keeps every byte, delivered in order once it passes again (a stall,
 *   or a short partition that TCP retransmission rides out);
 * - `blackhole`: forwards nothing and keeps nothing; connections stay open. Leaving it resets every
 *   connection that lost bytes, as TCP would end up doing, since such a stream can never be whole.
 */
export type LinkMode = 'pass' | 'hold' | 'blackhole';

interface Link {
  readonly client: Socket;
  readonly server: Socket;
  held: { to: Socket; data: Buffer }[];
  lostBytes: boolean;
}

/** A small TCP proxy on loopback whose link to one upstream port can be held, cut or reset. */
export class FaultProxy {
  private mode: LinkMode = 'pass';
  private readonly links = new Set<Link>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(upstreamPort: number): Promise<FaultProxy> {
    const port = await freePort();
    let proxy!: FaultProxy;
    const server = createServer((client) => proxy.accept(client, upstreamPort));
    proxy = new FaultProxy(server, port);
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    return proxy;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  private accept(client: Socket, upstreamPort: number): void {
    const server = new Socket();
    const link: Link = { client, server, held: [], lostBytes: false };
    this.links.add(link);
    const forward = (to: Socket) => (data: Buffer) => {
      if (this.mode === 'pass') to.write(data);
      else if (this.mode === 'hold') link.held.push({ to, data });
      else link.lostBytes = true;
    };
    client.on('data', forward(server));
    server.on('data', forward(client));
    const close = () => {
      this.links.delete(link);
      client.destroy();
      server.destroy();
    };
    client.on('close', close).on('error', close);
    server.on('close', close).on('error', close);
    server.connect(upstreamPort, '127.0.0.1');
  }

  set(mode: LinkMode): void {
    const leaving = this.mode;
    this.mode = mode;
    if (mode !== 'pass') return;
    for (const link of [...this.links]) {
      if (leaving === 'blackhole' && link.lostBytes) {
        this.resetLink(link);
        continue;
      }
      for (const { to, data } of link.held.splice(0)) to.write(data);
    }
  }

  /** Resets every open connection (RST to the client); new connections are accepted as the mode says. */
  reset(): void {
    for (const link of [...this.links]) this.resetLink(link);
  }

  private resetLink(link: Link): void {
    this.links.delete(link);
    link.client.resetAndDestroy();
    link.server.destroy();
  }

  get connections(): number {
    return this.links.size;
  }

  async close(): Promise<void> {
    this.reset();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
