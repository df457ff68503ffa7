import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describeIf, requireBinary } from '../support/real-component';

const run = promisify(execFile);
const hasSpin = requireBinary('spin', 'the model check of the cache protocol');
const hasCc = requireBinary('gcc', 'the model check of the cache protocol');

/** Bounds of the exhaustive search: large enough that both broken variants fail inside them. */
const BOUNDS = ['-DMAXT=2', '-DLEASE=1', '-DREADS=2', '-DWRITES=1', '-DMAXFAULTS=1'];

interface Verdict {
  errors: number;
  states: number;
  output: string;
}

/** spin generates the verifier, gcc builds it, and it searches every state (or, BFS, the shortest path to an error). */
async function verify(variant: string[], search: 'exhaustive' | 'shortest-counterexample'): Promise<Verdict> {
  const dir = mkdtempSync(join(tmpdir(), 'anime-model-'));
  try {
    copyFileSync(join(__dirname, 'cache-coherence.pml'), join(dir, 'model.pml'));
    await run('spin', [...BOUNDS, ...variant, '-a', 'model.pml'], { cwd: dir });
    const flags = search === 'exhaustive' ? ['-DSAFETY', '-DCOLLAPSE'] : ['-DSAFETY', '-DBFS'];
    await run('gcc', ['-O2', ...flags, '-w', '-o', 'pan', 'pan.c'], { cwd: dir });
    // -E: processes ending mid-loop at the bounds are not errors; only assertions count.
    const { stdout } = await run('./pan', ['-m1000000', '-E'], { cwd: dir, maxBuffer: 64 * 1024 * 1024 });
    const errors = Number(/errors: (\d+)/.exec(stdout)?.[1] ?? Number.NaN);
    const states = Number(/(\d+) states, stored/.exec(stdout)?.[1] ?? Number.NaN);
    return { errors, states, output: stdout };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describeIf(hasSpin && hasCc)('the cache coherence protocol, model-checked by spin', () => {
  it('holds in every reachable state: no read after an acknowledgement returns an older version', async () => {
    const verdict = await verify([], 'exhaustive');
    expect(verdict.output).not.toMatch(/max search depth too small/);
    expect(verdict.errors).toBe(0);
    expect(verdict.states).toBeGreaterThan(1_000_000);
    console.log(`spin: ${verdict.states} states, 0 errors`);
  }, 600_000);

  it.each([
    ['OLD_ORDERING', 'the outbox written only after the failed bump, acknowledged at once'],
    ['NO_LEASE_WAIT', 'a transactional outbox, but no wait for the leases'],
  ])(
    'fails with %s (%s): the negative control',
    async (variant) => {
      const verdict = await verify([`-D${variant}`], 'shortest-counterexample');
      expect(verdict.output).toMatch(/assertion violated \(v>=floor\)/);
      expect(verdict.errors).toBe(1);
    },
    300_000,
  );
});
