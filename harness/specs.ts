/** Where benchmark specs live unless the CLI or config says otherwise. */
export const DEFAULT_SPECS = 'bench/**/*.bench.ts';
