import { connectWhenFirewallAllows, isFirewallRefusal } from '../../platform/adapters/mssql/firewall-wait';

/** The shape mssql gives a login the SQL firewall refuses: its ConnectionError wraps tedious's. */
const refused = () =>
  Object.assign(new Error('Failed to connect to sql-anime-dev.database.windows.net:1433'), {
    name: 'ConnectionError',
    code: 'ELOGIN',
    originalError: Object.assign(
      new Error(
        "Cannot open server 'sql-anime-dev' requested by the login. Client with IP address '203.0.113.7' is not allowed to access the server.",
      ),
      { code: 'ELOGIN' },
    ),
  });

function clock() {
  let now = 0;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
  };
}

describe('waiting for the SQL firewall rule (db:bootstrap right after creating it)', () => {
  it('retries a refused login with a doubling, capped pause until the rule applies, and says why', async () => {
    const c = clock();
    const lines: string[] = [];
    let attempts = 0;
    const result = await connectWhenFirewallAllows(
      async () => {
        attempts++;
        if (attempts < 5) throw refused();
        return 'pool';
      },
      { ...c, log: (l) => lines.push(l), firstDelayMs: 5_000, maxDelayMs: 30_000 },
    );
    expect(result).toBe('pool');
    expect(c.sleeps).toEqual([5_000, 10_000, 20_000, 30_000]);
    expect(lines[0]).toMatch(
      /waiting for the SQL firewall rule to apply \(error 40615; Azure takes up to about five minutes\): attempt 1, retrying in 5 s/,
    );
  });

  it('gives up at the deadline, naming how long it waited', async () => {
    const c = clock();
    await expect(
      connectWhenFirewallAllows(async () => Promise.reject(refused()), {
        ...c,
        log: () => {},
        deadlineMs: 60_000,
      }),
    ).rejects.toThrow(/the SQL firewall still refuses this client after \d+ s \(\d+ attempts\)/);
    expect(c.now()).toBeLessThanOrEqual(60_000);
  });

  it('does not retry any other failure (a wrong password is not a firewall delay)', async () => {
    const c = clock();
    let attempts = 0;
    await expect(
      connectWhenFirewallAllows(
        async () => {
          attempts++;
          throw Object.assign(new Error("Login failed for user '<token-identified principal>'."), {
            number: 18456,
          });
        },
        { ...c, log: () => {} },
      ),
    ).rejects.toThrow(/Login failed/);
    expect(attempts).toBe(1);
    expect(c.sleeps).toEqual([]);
  });

  it('recognizes the refusal by number or by message, through wrapped errors', () => {
    expect(isFirewallRefusal(refused())).toBe(true);
    expect(isFirewallRefusal({ originalError: { info: { number: 40615 } } })).toBe(true);
    expect(isFirewallRefusal(new Error('ETIMEOUT'))).toBe(false);
  });
});
