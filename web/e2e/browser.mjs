// The system Chromium for the end-to-end tests and the icon renderer. Nothing is downloaded: the
// browser comes from Debian's package (`apt-get install -y chromium`).
import { existsSync } from 'node:fs';

export const launchArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The Chromium binary (CHROMIUM_PATH or /usr/bin/chromium), or null when there is none. */
export function chromiumPath() {
  const path = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  return existsSync(path) ? path : null;
}
