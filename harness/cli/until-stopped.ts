/**
 * How a long-running command (`serve`) knows to stop: SIGINT, SIGTERM or SIGHUP, or the process that started it
 * gone. `npm run serve` runs it under npm and a shell; killing npm reaches neither, and the orphan would keep
 * serving. An orphan is handed to another parent, so a changed ppid says the starter is gone.
 */
export function untilStopped(pollMs = 500): Promise<string> {
  const parent = process.ppid;
  return new Promise((resolve) => {
    const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
    const done = (why: string) => {
      clearInterval(watch);
      for (const signal of signals) process.removeListener(signal, handlers[signal]);
      resolve(why);
    };
    const handlers = Object.fromEntries(signals.map((signal) => [signal, () => done(signal)])) as Record<(typeof signals)[number], () => void>;
    for (const signal of signals) process.once(signal, handlers[signal]);
    const watch = setInterval(() => process.ppid !== parent && done('its parent process exited'), pollMs);
  });
}
