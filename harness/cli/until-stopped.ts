/**
 * How a long-running command (`serve`) knows to stop: SIGINT, SIGTERM or SIGHUP, or the process that started it
 * gone. `npm run serve` runs it under npm and a shell; killing npm reaches neither, and the orphan would keep
 * serving. An orphan is handed to another parent, so a ppid other than the starter's says the starter is gone.
 */

/**
 * The parent when this module was loaded, at the command's start (main.ts imports it): `serve` loads its models
 * before it waits, and a starter killed during that start-up must count too (read later, the ppid would already be
 * the new parent's, and the orphan would serve forever).
 */
const STARTER = process.ppid;

export function untilStopped(pollMs = 500, starter = STARTER): Promise<string> {
  return new Promise((resolve) => {
    const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
    const done = (why: string) => {
      clearInterval(watch);
      for (const signal of signals) process.removeListener(signal, handlers[signal]);
      resolve(why);
    };
    const handlers = Object.fromEntries(signals.map((signal) => [signal, () => done(signal)])) as Record<(typeof signals)[number], () => void>;
    for (const signal of signals) process.once(signal, handlers[signal]);
    const orphaned = () => process.ppid !== starter && done('its parent process exited');
    const watch = setInterval(orphaned, pollMs);
    orphaned();
  });
}
