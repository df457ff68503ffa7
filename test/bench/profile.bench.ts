import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { SECONDS, wrk } from './load-tools';
import { ROOT, seedCatalogue, startApi } from './processes';
import { machine, round } from './report';

/**
 * Where an uncached read's time goes: the API with its cache off under V8's sampling profiler
 * (--cpu-prof), wrk on one uncached page, then the profile read back: self time by where the code
 * lives, the heaviest functions, our functions by inclusive time, per request. Writes
 * docs/benchmarks/<name>.md and <name>.folded.gz (collapsed stacks: any flame graph tool reads them;
 * with flamegraph.pl (Debian's libdevel-nytprof-perl ships it), <name>.svg as well).
 *
 *   npm run bench:profile                       the uncached page, named uncached-page
 *   npm run bench:profile -- --name after-x     the same, written under another name
 */
const NAME = process.argv.includes('--name')
  ? process.argv[process.argv.indexOf('--name') + 1]!
  : 'uncached-page';
const PATH = process.env.BENCH_PROFILE_PATH ?? '/animes?type=TV&sort=-score&limit=50';
const OUT = join(ROOT, 'docs', 'benchmarks');
/** Brendan Gregg's flamegraph.pl, as Debian ships it (libdevel-nytprof-perl, not executable), or one on the PATH. */
const DEBIAN_FLAMEGRAPH = '/usr/share/perl5/Devel/NYTProf/flamegraph.pl';
const FLAMEGRAPH = existsSync(DEBIAN_FLAMEGRAPH) ? ['perl', DEBIAN_FLAMEGRAPH] : ['flamegraph.pl'];

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Where a frame's code lives: ours by folder, a package by name, Node's own, or V8's pseudo-frames. */
function placeOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node internals';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  const ours = /\/(api|catalogue|etl)\/(.*)$/.exec(url);
  if (ours) return `ours: ${ours[1]}/${ours[2]!.split('/').slice(0, -1).join('/') || '.'}`;
  return url;
}

function frameName(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const file = url.replace(/^.*\/(node_modules\/|api\/|catalogue\/|etl\/)/, '$1').replace(/^file:\/\//, '');
  return `${functionName || '(anonymous)'}${file ? ` ${file}:${lineNumber + 1}` : ''}`;
}

function analyse(profile: CpuProfile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (const [i, id] of profile.samples.entries())
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const stackOf = (id: number): ProfileNode[] => {
    const stack: ProfileNode[] = [];
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) stack.unshift(byId.get(at)!);
    return stack.slice(1); // (root)
  };
  const totalUs = [...self.values()].reduce((a, b) => a + b, 0);
  const places = new Map<string, number>();
  const functions = new Map<string, number>();
  const inclusiveOurs = new Map<string, number>();
  const folded = new Map<string, number>();
  for (const [id, us] of self) {
    const node = byId.get(id)!;
    const place = placeOf(node.callFrame.url, node.callFrame.functionName);
    places.set(place, (places.get(place) ?? 0) + us);
    functions.set(frameName(node), (functions.get(frameName(node)) ?? 0) + us);
    const stack = stackOf(id);
    const key = stack.map(frameName).join(';');
    folded.set(key, (folded.get(key) ?? 0) + us);
    // Inclusive: each of our functions once per sample, however often it recurs in the stack.
    const seen = new Set<string>();
    for (const frame of stack) {
      if (!placeOf(frame.callFrame.url, frame.callFrame.functionName).startsWith('ours')) continue;
      const name = frameName(frame);
      if (seen.has(name)) continue;
      seen.add(name);
      inclusiveOurs.set(name, (inclusiveOurs.get(name) ?? 0) + us);
    }
  }
  return { totalUs, places, functions, inclusiveOurs, folded };
}

const top = (m: Map<string, number>, n: number) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n);

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'anime-profile-'));
  const profiles = join(dir, 'profiles');
  mkdirSync(profiles);
  mkdirSync(OUT, { recursive: true });
  try {
    const database = await seedCatalogue(dir);
    process.env.BENCH_CPU_PROF_DIR = profiles;
    const api = await startApi({
      database,
      redisUrl: '',
      cache: false,
      jwtSecret: randomBytes(32).toString('base64url'),
    });
    delete process.env.BENCH_CPU_PROF_DIR;
    // Warm the JIT and the statement caches, then measure under the profiler.
    wrk(api.url + PATH, 8);
    const measured = wrk(api.url + PATH, 8);
    await api.stop();
    const file = readdirSync(profiles).find((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error('the API wrote no CPU profile');
    const { totalUs, places, functions, inclusiveOurs, folded } = analyse(
      JSON.parse(readFileSync(join(profiles, file), 'utf8')) as CpuProfile,
    );
    // The profile spans the process's whole life; the requests are the warm-up's and the measured run's.
    const requests = measured.requestsPerSecond * SECONDS * 2;
    const perRequest = (us: number) => round(us / requests / 1000, 3);
    const busyUs = totalUs - (places.get('(idle)') ?? 0);
    const pct = (us: number) => `${round((100 * us) / busyUs, 1)}%`;
    const table = (rows: [string, number][]) =>
      rows
        .map(
          ([name, us]) =>
            `| \`${name.replace(/\|/g, '\\|')}\` | ${round(us / 1000, 1)} | ${pct(us)} | ${perRequest(us)} |`,
        )
        .join('\n');
    const foldedText = `${[...folded].map(([stack, us]) => `${stack.replace(/ /g, '_')} ${Math.round(us)}`).join('\n')}\n`;
    // Gzipped: the stacks of a few seconds run to megabytes of text (zcat them into any flame graph tool).
    writeFileSync(join(OUT, `${NAME}.folded.gz`), gzipSync(foldedText));
    let svg = '';
    try {
      const [command, ...script] = FLAMEGRAPH;
      // Frames under a pixel wide are left out: the SVG stays small enough to keep in the repo.
      const rendered = execFileSync(
        command!,
        [...script, '--title', `GET ${PATH}, cache off`, '--countname', 'us', '--minwidth', '1'],
        {
          input: foldedText,
          encoding: 'utf8',
          maxBuffer: 64 * 1024 * 1024,
        },
      );
      writeFileSync(join(OUT, `${NAME}.svg`), rendered);
      svg = `\n![flame graph](${NAME}.svg)\n`;
    } catch (error) {
      console.error(`no flame graph: ${(error as Error).message.split('\n')[0]}`);
      svg =
        '\n(flamegraph.pl was not found (Debian: `apt-get install libdevel-nytprof-perl`): render the folded stacks with it, or open them in speedscope.)\n';
    }
    const markdown = `# Profile: \`GET ${PATH}\`, cache off (\`npm run bench:profile -- --name ${NAME}\`)

${machine()}; wrk at 8 connections for ${SECONDS} s under \`--cpu-prof\`: ${Math.round(measured.requestsPerSecond)} req/s
(p50 ${measured.p50Ms} ms, p99 ${measured.p99Ms} ms); about ${requests} requests in the profile (warm-up and run).
Times are the main thread's CPU (read threads are other isolates, not in this profile); ms per
request = the profile's time ÷ those requests; shares are of the busy time (idle excluded:
${round((places.get('(idle)') ?? 0) / 1000, 0)} ms idle of ${round(totalUs / 1000, 0)} ms).
Collapsed stacks (gzipped): [${NAME}.folded.gz](${NAME}.folded.gz).
${svg}
## Self time by where the code lives

| where | ms | share | ms per request |
|---|---:|---:|---:|
${table(top(places, 21).filter(([name]) => name !== '(idle)'))}

## The heaviest functions (self time)

| function | ms | share | ms per request |
|---|---:|---:|---:|
${table(top(functions, 26).filter(([name]) => name !== '(idle)'))}

## Our functions by inclusive time (their callees included)

| function | ms | share | ms per request |
|---|---:|---:|---:|
${table(top(inclusiveOurs, 25))}
`;
    writeFileSync(join(OUT, `${NAME}.md`), markdown);
    console.log(markdown);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
