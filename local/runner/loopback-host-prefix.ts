/**
 * Some AWS APIs are sent to a prefixed host: Cloud Map's `DiscoverInstances` goes to
 * `data-<endpoint host>`. With a stand-in at `http://127.0.0.1:<port>` that host is
 * `data-127.0.0.1`, which no resolver knows; the SDK has no environment variable to turn the
 * prefix off. Installed first in every local Lambda worker, this resolves exactly such prefixed
 * loopback hosts to 127.0.0.1 and leaves every other lookup to Node. (A function to call, not an
 * import for its side effect: the package declares `sideEffects: false`, so a bundler drops those.)
 */
// The module object itself (not an ES namespace), whose `lookup` Node's net module calls.
const dns = require('node:dns') as { lookup: (...args: unknown[]) => unknown };

const PREFIXED_LOOPBACK = /^[a-z0-9-]+-127\.0\.0\.1$/;

/** Makes Node resolve `<prefix>-127.0.0.1` to 127.0.0.1 in this process. */
export function resolvePrefixedLoopbackHosts(): void {
  const lookup = dns.lookup;
  dns.lookup = function loopbackLookup(this: unknown, ...args: unknown[]): unknown {
    const [hostname, ...rest] = args as [string, ...unknown[]];
    return lookup.call(this, PREFIXED_LOOPBACK.test(hostname) ? '127.0.0.1' : hostname, ...rest);
  };
}
