/**
 * Runs `use` (which should `require` what it needs) in a fresh module registry in which the module
 * at `path` (relative to test/support, the same depth as test/unit) is its actual exports with
 * `patch` applied: how the worked examples swap the definition or the filter table for a bigger one.
 */
export function withPatchedModule<M extends object, T>(
  path: string,
  patch: (actual: M) => Partial<M>,
  use: () => T,
): T {
  let result: T | undefined;
  jest.isolateModules(() => {
    jest.doMock(path, () => {
      const actual = jest.requireActual<M>(path);
      return { ...actual, ...patch(actual) };
    });
    result = use();
  });
  jest.dontMock(path);
  return result!;
}
