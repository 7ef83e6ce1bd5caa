/**
 * `npm run dev`: the demo platform on this machine, with its dashboard. Prints
 * `edge: http://127.0.0.1:<port>` and `dashboard: http://127.0.0.1:<port>` once everything is ready;
 * Ctrl-C or SIGTERM stops every process it started and exits 0.
 *
 * Options: `--edge-port <n>` (default 3100), `--dashboard-port <n>` (default 3101); 0 takes a free port.
 */
import { parseArgs } from 'node:util';
import { startDashboard } from './dashboard/dashboard-server';
import { startDemoPlatform } from './demo-platform';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'edge-port': { type: 'string', default: '3100' }, 'dashboard-port': { type: 'string', default: '3101' } } });
  const port = (name: 'edge-port' | 'dashboard-port') => {
    const value = Number(values[name]);
    if (!Number.isInteger(value) || value < 0 || value > 65535) throw new Error(`--${name} must be a port number (0 for a free one); got '${values[name]}'`);
    return value;
  };
  const started = Date.now();
  let stopping = false;
  const platform = await startDemoPlatform({ edgePort: port('edge-port') });
  const dashboard = await startDashboard(platform, { port: port('dashboard-port') }).catch(async (error: unknown) => {
    await platform.stop();
    throw error;
  });
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping`);
    await dashboard.stop();
    await platform.stop();
    console.log('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  // npm exits on SIGTERM without passing it on: when the process that started this one is gone, stop as for SIGTERM.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) void stop('parent exited');
  }, 500).unref();
  console.log(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s${platform.freshAssembly ? ' (the assembly was synthesized; the next start reuses it)' : ''}`);
  console.log(`edge: ${platform.edge.url}`);
  console.log(`dashboard: ${dashboard.url}`);
}

main().catch((error: unknown) => {
  console.error(`npm run dev failed: ${(error as Error).message}`);
  process.exit(1);
});
