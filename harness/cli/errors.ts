/** A mistake in how the CLI was called (a flag, a variable, a missing argument): exit code 2, with a pointer to --help. */
export class UsageError extends Error {
  override name = 'UsageError';
}
