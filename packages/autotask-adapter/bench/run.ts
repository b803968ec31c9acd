// Benchmark: the adapter against the local Autotask fake (real HTTP on 127.0.0.1), side by side with what a user
// would write by hand. Bounded: fixed request counts, a 50 s overall deadline, and every loop capped.
// Run: pnpm --filter @qdesk/autotask-adapter bench

import { before, beforeNote } from '../../../bench/before.js';
import { createAutotaskAdapter, createAutotaskClient } from '../src/index.js';
import { FAKE_CREDENTIALS, startAutotaskFake } from '../src/testing/index.js';

const LATENCY_MS = 50;
const CONTACTS = 10_000;
const SAMPLE_GETS = 150;
const DEADLINE = Date.now() + 50_000;

const server = await startAutotaskFake({ contacts: CONTACTS - 6, includeDemoData: true, tickets: 40 });
const fake = server.state;
const auth = {
  ApiIntegrationCode: FAKE_CREDENTIALS.integrationCode,
  UserName: FAKE_CREDENTIALS.username,
  Secret: FAKE_CREDENTIALS.secret,
  'Content-Type': 'application/json',
};
const api = (path: string) => `${server.zoneUrl}V1.0/${path}`;
const checkDeadline = () => {
  if (Date.now() > DEADLINE) throw new Error('benchmark deadline passed');
};

interface Row {
  scenario: string;
  approach: string;
  requests: number;
  maxInFlight: number;
  wallMs: number;
  result: string;
}
const rows: Row[] = [];

async function measure(scenario: string, approach: string, run: () => Promise<string>): Promise<void> {
  checkDeadline();
  fake.resetObservations();
  const started = performance.now();
  const result = await run();
  const wallMs = Math.round(performance.now() - started);
  const requests = fake.requests.filter((r) => r.endpoint !== 'zoneInformation').length;
  rows.push({ scenario, approach, requests, maxInFlight: fake.maxInFlight(), wallMs, result });
}

/** What most hand-written clients do: page on `id > last` until a short page, one request at a time. */
async function naiveIdLoop(): Promise<number> {
  let last = -1;
  let n = 0;
  for (let page = 0; page < 100; page++) {
    checkDeadline();
    const body = { filter: [{ op: 'gt', field: 'id', value: last }], MaxRecords: 500 };
    const response = await fetch(api('Contacts/query'), {
      method: 'POST',
      headers: auth,
      body: JSON.stringify(body),
    });
    const { items } = (await response.json()) as { items: Array<{ id: number }> };
    n += items.length;
    if (items.length < 500) break;
    last = items.at(-1)!.id;
  }
  return n;
}

const adapter = createAutotaskAdapter({ ...FAKE_CREDENTIALS, zoneDiscoveryUrl: server.url });
const client = createAutotaskClient({ ...FAKE_CREDENTIALS, zoneDiscoveryUrl: server.url });
await Promise.all([adapter.client.zone(), client.zone()]); // warm the zone caches: discovery is once a day
// Warm the JIT on both code paths at zero latency, so the timings below compare steady states.
for await (const _ of adapter.listContacts()) checkDeadline();
await naiveIdLoop();
fake.latencyMs = LATENCY_MS;

// 1. One ticket context.
await measure('ticket context', 'adapter (ticket, then company + contact in parallel)', async () => {
  const context = await adapter.getTicketContext('1001');
  return `${context?.ticket.number}, contact ${context?.contact?.id}`;
});
await measure('ticket context', 'naive: three GETs one after another', async () => {
  const get = async (path: string) =>
    ((await (await fetch(api(path), { headers: auth })).json()) as { item: Record<string, unknown> }).item;
  const ticket = await get('Tickets/1001');
  const contact = await get(`Contacts/${ticket.contactID}`);
  await get(`Companies/${ticket.companyID}`);
  return `${ticket.ticketNumber}, contact ${contact.id}`;
});

// 2. Every contact.
await measure(`list ${CONTACTS} contacts`, 'adapter (count + POST pages via nextPageUrl)', async () => {
  let n = 0;
  let total: number | null = null;
  for await (const _ of adapter.listContacts({ onProgress: (p) => (total = p.total) })) n++;
  return `${n} records, total ${total}`;
});
await measure(`list ${CONTACTS} contacts`, 'naive: sequential "id > lastSeenId" loop', async () => {
  return `${await naiveIdLoop()} records, no total`;
});
await measure(`list ${CONTACTS} contacts`, 'naive: GET query, then GET nextPageUrl', async () => {
  const search = encodeURIComponent(JSON.stringify({ filter: [{ op: 'gte', field: 'id', value: 0 }] }));
  let url: string | null = api(`Contacts/query?search=${search}`);
  let n = 0;
  let status = 200;
  for (let page = 0; url !== null && page < 100; page++) {
    checkDeadline();
    const response: Response = await fetch(url, { headers: auth });
    status = response.status;
    if (!response.ok) break;
    const body = (await response.json()) as { items: unknown[]; pageDetails: { nextPageUrl: string | null } };
    n += body.items.length;
    url = body.pageDetails.nextPageUrl;
  }
  return `${n} records (stopped: HTTP ${status} on the next page)`;
});

// 3. One GET per contact, on a sample (the full 10,000 would take minutes at 3 in flight).
const sample = fake.tables.Contacts.slice(0, SAMPLE_GETS).map((c) => c.id);
await measure(`GET ${SAMPLE_GETS} contacts by id`, 'adapter client (3 in flight per endpoint)', async () => {
  const found = await Promise.all(sample.map((id) => client.get('Contacts', id)));
  return `${found.filter(Boolean).length} ok, 0 thread-limit errors`;
});
await measure(`GET ${SAMPLE_GETS} contacts by id`, 'naive: all at once with Promise.all', async () => {
  const statuses = await Promise.all(
    sample.map((id) => fetch(api(`Contacts/${id}`), { headers: auth }).then((r) => r.status)),
  );
  const ok = statuses.filter((s) => s === 200).length;
  return `${ok} ok, ${statuses.length - ok} "Thread Threshold Exceeded"`;
});

await server.close();

const widths = { scenario: 26, approach: 52, requests: 8, maxInFlight: 9, wallMs: 8 };
const pad = (value: string | number, width: number, right = false) =>
  right ? String(value).padStart(width) : String(value).padEnd(width);
console.log(
  `Autotask adapter benchmark: local fake, ${LATENCY_MS} ms added per request, ${CONTACTS} contacts`,
);
console.log(`${beforeNote}\n`);
console.log(
  `${pad('scenario', widths.scenario)} ${pad('approach', widths.approach)} ${pad('requests', widths.requests, true)} ` +
    `${pad('max/endpt', widths.maxInFlight, true)} ${pad('wall ms', widths.wallMs, true)}  result`,
);
for (const row of rows) {
  console.log(
    `${pad(row.scenario, widths.scenario)} ${pad(row.approach, widths.approach)} ` +
      `${pad(row.requests, widths.requests, true)} ${pad(row.maxInFlight, widths.maxInFlight, true)} ` +
      `${pad(row.wallMs, widths.wallMs, true)}  ${row.result}` +
      before(`adapter.wall_ms.${rows.indexOf(row)}`),
  );
}
console.log(
  '\nmax/endpt: the most concurrent requests the fake saw on any one endpoint (Autotask allows 3).',
);
console.log(
  `Listing floor: ${Math.ceil(CONTACTS / 500)} pages of 500 + 1 count = ${Math.ceil(CONTACTS / 500) + 1} requests. ` +
    `Full GET-per-contact would cost ${CONTACTS} requests (+ the listing to learn the ids), ` +
    `${Math.round(((CONTACTS / 3) * LATENCY_MS) / 1000)} s at 3 in flight.`,
);
