import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ConfigSchema } from '../../platform/config';
import { ROOT } from '../support/cli';

describe('compose.yaml', () => {
  const compose = parse(readFileSync(join(ROOT, 'compose.yaml'), 'utf8'), { merge: true }) as {
    services: Record<string, { environment?: Record<string, string>; ports?: string[]; build?: string }>;
  };

  it('runs the API, Redis, SQL Server 2022, the Firebase Auth emulator and a one-shot ETL', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['api', 'etl', 'firebase-auth', 'mssql', 'redis']);
    expect(compose.services.api!.build).toBe('.');
    expect(compose.services.etl!.build).toBe('.');
  });

  it('configures the app only with variables the API actually reads', () => {
    const known = new Set(Object.keys(ConfigSchema.properties));
    for (const service of ['api', 'etl']) {
      const names = Object.keys(compose.services[service]!.environment ?? {});
      expect(names.length).toBeGreaterThan(1);
      expect(names.filter((n) => !known.has(n))).toEqual([]);
    }
  });

  it('binds every published port to loopback', () => {
    const ports = Object.values(compose.services).flatMap((s) => s.ports ?? []);
    expect(ports.length).toBeGreaterThan(3);
    for (const port of ports) expect(port).toMatch(/^127\.0\.0\.1:/);
  });
});
