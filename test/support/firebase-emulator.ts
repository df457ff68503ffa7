import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from './redis-server';

const FIREBASE_CLI = resolve(__dirname, '../../node_modules/.bin/firebase');

/** firebase-tools is a devDependency, so it is missing only from a broken install: loud under CI. */
export function hasFirebaseEmulator(): boolean {
  if (existsSync(FIREBASE_CLI)) return true;
  const message = 'firebase-tools is not installed (npm ci), so the Firebase suites cannot run';
  if (process.env.CI === 'true') throw new Error(`CI=true: ${message}`);
  console.warn(`\n!!! SKIPPING: ${message} !!!\n`);
  return false;
}

/**
 * The real Firebase Auth emulator on free loopback ports. The firebase.json turns the UI off (it
 * would try to download it) and binds 127.0.0.1. The CLI runs in its own process group, stopped by
 * its PID.
 */
class FirebaseAuthEmulator {
  private constructor(
    private readonly child: ChildProcess,
    private readonly dir: string,
    readonly host: string,
    readonly projectId: string,
  ) {}

  static async start(projectId = 'demo-anime-platform'): Promise<FirebaseAuthEmulator> {
    const dir = mkdtempSync(join(tmpdir(), 'anime-firebase-'));
    const [auth, hub, logging] = [await freePort(), await freePort(), await freePort()];
    writeFileSync(
      join(dir, 'firebase.json'),
      JSON.stringify({
        emulators: {
          auth: { host: '127.0.0.1', port: auth },
          hub: { host: '127.0.0.1', port: hub },
          logging: { host: '127.0.0.1', port: logging },
          ui: { enabled: false },
        },
      }),
    );
    const child = spawn(FIREBASE_CLI, ['emulators:start', '--only', 'auth', '--project', projectId], {
      cwd: dir,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, FIREBASE_CLI_DISABLE_UPDATE_CHECK: 'true', CI: 'true' },
    });
    let output = '';
    child.stdout?.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr?.on('data', (chunk) => {
      output += chunk;
    });
    const emulator = new FirebaseAuthEmulator(child, dir, `127.0.0.1:${auth}`, projectId);
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`the Firebase emulator exited:\n${output}`);
      try {
        const res = await fetch(`http://${emulator.host}/`, { signal: AbortSignal.timeout(1000) });
        if (res.status < 500) return emulator;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    await emulator.stop();
    throw new Error(`the Firebase emulator did not start within 60 s:\n${output}`);
  }

  /** What a client SDK does: signs in with a password and gets an ID token from the emulator. */
  async clientIdToken(email: string, password: string): Promise<string> {
    const res = await fetch(
      `http://${this.host}/identitytoolkit.googleapis.com/v1/accounts:signInWithPassword?key=client-key`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password, returnSecureToken: true }),
      },
    );
    return ((await res.json()) as { idToken: string }).idToken;
  }

  /** Deletes every account, so suites start from nothing. */
  async reset(): Promise<void> {
    await fetch(`http://${this.host}/emulator/v1/projects/${this.projectId}/accounts`, { method: 'DELETE' });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.pid) {
      const exited = new Promise((r) => this.child.once('exit', r));
      process.kill(-this.child.pid, 'SIGTERM');
      const killer = setTimeout(() => this.child.pid && process.kill(-this.child.pid, 'SIGKILL'), 5000);
      await exited;
      clearTimeout(killer);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * Starts the emulator for the enclosing describe block and points firebase-admin at it
 * (FIREBASE_AUTH_EMULATOR_HOST), undoing both afterwards. Returns a getter for the running emulator.
 */
export function useFirebaseEmulator(): () => FirebaseAuthEmulator {
  let emulator: FirebaseAuthEmulator | undefined;
  beforeAll(async () => {
    emulator = await FirebaseAuthEmulator.start();
    process.env.FIREBASE_AUTH_EMULATOR_HOST = emulator.host;
  }, 90_000);
  afterAll(async () => {
    delete process.env.FIREBASE_AUTH_EMULATOR_HOST;
    await emulator?.stop();
  }, 30_000);
  return () => {
    if (!emulator) throw new Error('the Firebase emulator is not running');
    return emulator;
  };
}
