import { serve } from '@hono/node-server';
import { isQdeskError } from '@qdesk/core';
import { createApp } from './app.js';
import { composeServices } from './compose.js';
import { EnvError, isDemo, readEnv } from './config.js';

let env: ReturnType<typeof readEnv>;
try {
  env = readEnv();
} catch (error) {
  if (error instanceof EnvError) {
    console.error(error.message);
    process.exit(2);
  }
  throw error;
}

const services = await composeServices(env).catch((error: unknown) => {
  // A setting or a database the app cannot use: the message says what to do; a stack trace would bury it.
  if (error instanceof EnvError || isQdeskError(error)) {
    console.error(`QDesk cannot start: ${error.message}`);
    process.exit(2);
  }
  throw error;
});
const { app } = createApp(services, env);
const server = serve({ fetch: app.fetch, port: env.PORT, hostname: env.HOST }, (info) => {
  const base = `http://${info.address}:${info.port}`;
  console.log(
    `QDesk Insight app on ${base} (${isDemo(env) ? 'demo mode: no account anywhere' : 'real mode'})`,
  );
  console.log(`  Data: ${services.stores.where}${services.stores.durable ? ', kept across restarts' : ''}`);
  if (isDemo(env)) {
    console.log(`  1. Technician: open ${base}/insight?ticketId=1001`);
    console.log(`  2. End-user:   open ${base}/self-serve in a second tab (or window) and pick Ana Silva`);
    console.log(`  3. Codes sent by SMS / email appear at ${base}/outbox`);
    console.log(`  4. Policies (sign in as the demo administrator): ${base}/admin/policies`);
    // Demo mode made this token up at start; a reset tool presents it to POST /api/grants/verify. Real mode reads
    // QDESK_RESET_TOOL_TOKEN and never prints it.
    console.log(`  Reset tool token (demo, new at every start): ${services.resetToolToken}`);
  }
});

const stop = async () => {
  server.close();
  await services.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
