/**
 * Headless Chromium for the report's browser tests: Debian's `chromium` package driven by playwright-core (no
 * browser is downloaded). The flags keep it from reaching for the network at start (this machine has none).
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** The Chromium binary: CHROMIUM_PATH, else Debian's; null when none is installed. */
export const CHROMIUM_PATH =
  [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p): p is string => !!p && existsSync(p)) ?? null;

export function launchChromium(): Promise<Browser> {
  if (!CHROMIUM_PATH) throw new Error("no Chromium: install Debian's chromium package (apt-get install chromium) or set CHROMIUM_PATH");
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
