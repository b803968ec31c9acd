// A local Autotask for trying the app's real mode by hand, with the local identity provider (dev/idp.ts):
//
//   pnpm dev:autotask
//
// The same fake the tests use, served over real HTTP on http://127.0.0.1:4020 with the demo tickets, companies,
// contacts and the demo MSP's resources (so notes are written as the technician who signs in). It also writes the
// demo end-users (the people behind those contacts) as a directory file, and prints the AUTOTASK_* and
// QDESK_DIRECTORY_FILE lines the app needs. Ctrl-C (SIGINT) or SIGTERM stops it; the fake's data lives in memory only.
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FAKE_CREDENTIALS, startAutotaskFake } from '@qdesk/autotask-adapter/testing';
import { createDemoData } from '@qdesk/core/memory';

/** Where the dev Autotask listens: next to the dev identity provider's 4010, away from the app's 3000. */
export const DEV_AUTOTASK_PORT = 4020;

const server = await startAutotaskFake({ port: DEV_AUTOTASK_PORT }).catch((error: unknown) => {
  console.error(
    `The dev Autotask could not start on 127.0.0.1:${DEV_AUTOTASK_PORT} (${(error as Error).message}). ` +
      'Stop whatever uses that port, then start it again.',
  );
  process.exit(1);
});
const folder = join(tmpdir(), 'qdesk-dev');
mkdirSync(folder, { recursive: true, mode: 0o700 });
const directoryFile = join(folder, 'directory.json');
// Without the demo's made-up devices: in real mode an end-user enrols their own browser on the self-serve page.
const people = createDemoData().endUsers.map(({ id, email, displayName, mobilePhone, customerId }) => ({
  id,
  email,
  displayName,
  mobilePhone,
  ...(customerId ? { customerId } : {}),
  devices: [],
}));
writeFileSync(directoryFile, `${JSON.stringify(people, null, 2)}\n`, { mode: 0o600 });
console.log(`Local Autotask (a fake, for development only) at ${server.zoneUrl}`);
console.log("Give the app these lines with the identity provider's (pnpm dev:idp):\n");
console.log(`AUTOTASK_USERNAME=${FAKE_CREDENTIALS.username}`);
console.log(`AUTOTASK_SECRET=${FAKE_CREDENTIALS.secret}`);
console.log(`AUTOTASK_INTEGRATION_CODE=${FAKE_CREDENTIALS.integrationCode}`);
console.log(`AUTOTASK_ZONE_URL=${server.zoneUrl}`);
console.log(`QDESK_DIRECTORY_FILE=${directoryFile}`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void server.close().then(() => process.exit(0));
  });
}
