/**
 * Whether an import failed because a module is not installed, in the wordings that reach here: Node's
 * (`ERR_MODULE_NOT_FOUND`, `Cannot find package 'x'`) and, under vitest, vite's (`Could not resolve "x"`, `Failed to
 * load url x`). The optional packages the harness imports on demand (node-llama-cpp, foundry-local-sdk) use it.
 */
export function isModuleNotFound(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return (
    code === 'ERR_MODULE_NOT_FOUND' ||
    code === 'MODULE_NOT_FOUND' ||
    /Cannot find (package|module)|Could not resolve|Failed to (load|resolve)/i.test(String(message ?? ''))
  );
}

/** True when the module not found is the package `name` itself (not, say, one of its own dependencies). */
export function isMissingPackage(error: unknown, name: string): boolean {
  const message = String((error as { message?: unknown } | null)?.message ?? '');
  return isModuleNotFound(error) && (message.includes(`'${name}'`) || message.includes(`"${name}"`));
}
