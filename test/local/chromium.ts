/**
 * The headless browser of the dashboard tests: Debian's `chromium`, installed with apt-get where it
 * is missing (the tests run as root on the project's machines and in CI). Elsewhere, install it
 * yourself or name another Chromium in `CHROMIUM_PATH`.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** The path of a Chromium executable, installing Debian's package first when there is none. */
export function chromiumExecutable(): string {
  const named = process.env.CHROMIUM_PATH;
  if (named !== undefined && named !== '') return named;
  const found = CANDIDATES.find((candidate) => fs.existsSync(candidate));
  if (found !== undefined) return found;
  if (process.getuid?.() !== 0) throw new Error(`no Chromium at ${CANDIDATES.join(', ')}; install Debian's chromium package (apt-get install chromium) or set CHROMIUM_PATH`);
  execFileSync('apt-get', ['update'], { stdio: 'ignore' });
  execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], { stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (!fs.existsSync('/usr/bin/chromium')) throw new Error('apt-get install chromium ran, but /usr/bin/chromium is not there');
  return '/usr/bin/chromium';
}
