/**
 * How a long-running command (`serve`) knows to stop: SIGINT, SIGTERM or SIGHUP, or the process that started it
 * gone. `npm run serve` runs it as npm -> sh -> node; killing npm reaches neither the shell nor serve, and serve
 * would keep serving. An orphan is handed to another parent, so a parent other than at the start says it: serve's
 * own (its starter killed) or, on Linux, its starter's (npm killed, the shell between them left waiting).
 */
import { procStat } from '../files/proc.ts';

/**
 * The parent and its parent when this module was loaded, at the command's start (main.ts imports it): `serve` loads
 * its models before it waits, and a starter killed during that start-up must count too (read later, the parent
 * would already be the new one, and the orphan would serve forever).
 */
const STARTER = process.ppid;
const STARTERS_PARENT = procStat(STARTER)?.ppid ?? null;

export function untilStopped(pollMs = 500, starter = STARTER, startersParent = STARTERS_PARENT): Promise<string> {
  return new Promise((resolve) => {
    const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
    const done = (why: string) => {
      clearInterval(watch);
      for (const signal of signals) process.removeListener(signal, handlers[signal]);
      resolve(why);
    };
    const handlers = Object.fromEntries(signals.map((signal) => [signal, () => done(signal)])) as Record<(typeof signals)[number], () => void>;
    for (const signal of signals) process.once(signal, handlers[signal]);
    const orphaned = () => {
      if (process.ppid !== starter) return done('its parent process exited');
      // A starter started by init (a container's entry point) has no starter of its own to lose.
      const now = procStat(starter);
      if (startersParent !== null && startersParent > 1 && now !== null && now.ppid !== startersParent) {
        done('the process that started its parent exited');
      }
    };
    const watch = setInterval(orphaned, pollMs);
    orphaned();
  });
}
