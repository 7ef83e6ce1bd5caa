// The container's entry: settings from the environment, listen on PORT, drain on SIGTERM.
import { createPricingServer } from './server';
import { settingsFromEnvironment } from './quote';

const port = Number(process.env.PORT);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  throw new Error(`PORT is '${String(process.env.PORT)}'; expected a port number`);
}
const server = createPricingServer({ settings: settingsFromEnvironment(process.env), drainSeconds: Number(process.env.DRAIN_SECONDS ?? 10) });
void server.listen(port);
let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    void server.shutdown().then((outcome) => {
      process.exitCode = outcome === 'drained' ? 0 : 1;
    });
  });
}
