import { execFileSync } from 'node:child_process';

/**
 * Integration suites use real servers and tools. Locally a missing one skips its suite with a loud
 * notice; under CI=true it fails, so CI can never pass without actually running the suite.
 */
export function requireBinary(binary: string, purpose: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${binary}`], { stdio: 'ignore' });
    return true;
  } catch {
    const message = `${binary} is not installed, so ${purpose} cannot run (apt-get install ${binary})`;
    if (process.env.CI === 'true') throw new Error(`CI=true: ${message}`);
    console.warn(`\n!!! SKIPPING: ${message} !!!\n`);
    return false;
  }
}

export function describeIf(condition: boolean): jest.Describe {
  return condition ? describe : describe.skip;
}
