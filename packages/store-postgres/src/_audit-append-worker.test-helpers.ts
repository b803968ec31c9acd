/**
 * A separate OS process that appends audit records to one tenant's chain, for the test of concurrent appends from
 * several app instances. Run with tsx: `<url> <tenant> <writer> <count>`; it prints `ready` once connected, starts
 * on a line on stdin (so both processes start together), appends with 4 in flight, then prints `done`.
 */
import { createInterface } from 'node:readline';
import { chainRecord } from './_audit-samples.test-helpers.js';
import { createPostgresAuditLog } from './audit-log.js';
import { createPgDatabase } from './pg/database.js';

const [url, tenantId, writer, countText] = process.argv.slice(2);
if (!url || !tenantId || !writer || !countText) {
  process.stderr.write('usage: <database url> <tenant> <writer> <count>\n');
  process.exit(2);
}
const database = createPgDatabase({ connectionString: url, max: 4 });
const log = createPostgresAuditLog(database);
await database.query('SELECT 1');
process.stdout.write('ready\n');
const input = createInterface({ input: process.stdin });
await new Promise((resolve) => input.once('line', resolve));
input.close();

const count = Number(countText);
let next = 0;
const lane = async () => {
  while (next < count) {
    const i = next++;
    await log.append(
      chainRecord(tenantId, i, {
        id: `${writer}-${i}`,
        at: Date.now(),
        actor: { type: 'system', id: writer },
      }),
    );
  }
};
await Promise.all([lane(), lane(), lane(), lane()]);
await database.close();
process.stdout.write('done\n');
