import { request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Raw bytes and headers, undecoded: HTTP clients like supertest and fetch decompress silently. */
export function rawGet(server: Server, path: string, headers: Record<string, string> = {}) {
  const { port } = server.address() as AddressInfo;
  return new Promise<{
    status: number;
    headers: Record<string, string | string[] | undefined>;
    body: Buffer;
  }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

export function listen(handler: Parameters<typeof import('node:http').createServer>[1]): Promise<Server> {
  const server = require('node:http').createServer(handler) as Server;
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}
