// A local OpenID Connect identity provider for trying the app's real sign-in by hand:
//
//   npx tsx examples/insight-app/dev/idp.ts
//
// It listens on http://127.0.0.1:4010 with two clients (technicians and end-users), the demo MSP's staff and the
// demo directory's end-users, writes the end-user IdP file for the demo customers, and prints the environment lines
// the app needs. The secrets are fixed, dev-only strings: this provider is for your own machine only.
// Ctrl-C (SIGINT) or SIGTERM stops it.
import { chmodSync, lstatSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEV_END_USER_CLIENT,
  DEV_END_USERS,
  DEV_IDP_PORT,
  DEV_STAFF,
  DEV_TECHNICIAN_CLIENT,
  devIdpEnvironment,
  endUserIdpEntries,
} from './dev-idp-setup.js';
import { startTestIdp, type TestIdp } from './test-idp.js';

/**
 * Writes the end-user IdP file to a fixed folder under the system temp folder, so the environment lines stay the same
 * from one run to the next. The folder must be a real directory of this user (not a link someone else planted).
 */
function writeEndUserIdpFile(issuer: string): string {
  const folder = join(tmpdir(), 'qdesk-dev-idp');
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  const stat = lstatSync(folder);
  if (!stat.isDirectory() || (process.getuid && stat.uid !== process.getuid())) {
    throw new Error(`${folder} is not a folder of yours: remove it and start the dev IdP again.`);
  }
  chmodSync(folder, 0o700);
  const file = join(folder, 'end-user-idps.json');
  writeFileSync(file, `${JSON.stringify(endUserIdpEntries(issuer), null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return file;
}

let idp: TestIdp;
try {
  idp = await startTestIdp({
    clients: [DEV_TECHNICIAN_CLIENT, DEV_END_USER_CLIENT],
    users: [...DEV_STAFF, ...DEV_END_USERS],
    port: DEV_IDP_PORT,
  });
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
const file = writeEndUserIdpFile(idp.issuer);

const people = (users: typeof DEV_STAFF) =>
  users.map(
    (user) =>
      `  ${user.email.padEnd(38)} ${user.name}${user.roles ? ` (roles: ${user.roles.join(', ')})` : ''}`,
  );

console.log(`QDesk dev identity provider (development only): ${idp.issuer}
Discovery: ${idp.issuer}/.well-known/openid-configuration

Clients (dev-only secrets):
  ${DEV_TECHNICIAN_CLIENT.clientId}  secret ${DEV_TECHNICIAN_CLIENT.clientSecret}  redirect ${DEV_TECHNICIAN_CLIENT.redirectUris.join(' ')}
  ${DEV_END_USER_CLIENT.clientId}    secret ${DEV_END_USER_CLIENT.clientSecret}    redirect ${DEV_END_USER_CLIENT.redirectUris.join(' ')}

Sign in with any of these emails (no password):
MSP staff
${people(DEV_STAFF).join('\n')}
End-users (the demo directory)
${people(DEV_END_USERS).join('\n')}

End-user IdP file for the demo customers: ${file}

Start the app with these environment lines:
${devIdpEnvironment(idp.issuer, file).join('\n')}

Ctrl-C stops the provider.`);

let stopping = false;
async function stop(signal: NodeJS.Signals): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping the dev identity provider.`);
  await idp.close();
  process.exit(0);
}
process.once('SIGINT', (signal) => void stop(signal));
process.once('SIGTERM', (signal) => void stop(signal));
