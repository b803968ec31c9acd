import { type AuditRecord, OUTCOME_TEXT } from '@qdesk/core';
import { createMemoryAuditLog, createMemoryDirectory } from '@qdesk/core/memory';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from './app.js';
import { readEnv } from './config.js';
import { csvField, HISTORY_WINDOW, readVerifications } from './history.js';
import { type Browser, json, startTestApp, type TestApp } from './test-app.test-helpers.js';

let t: TestApp;
let sam: Browser;
let jo: Browser;
beforeAll(async () => {
  t = await startTestApp();
  [sam, jo] = await Promise.all([t.staff('tech-demo'), t.staff('tech-jo')]);
});
afterAll(() => t.close());

const post = (path: string, body: unknown, as: Browser = sam) =>
  t.request(path, { method: 'POST', json: body, as });
const page = async (query = '', as: Browser = sam) => {
  const res = await t.request(`/history${query}`, { as });
  expect(res.status).toBe(200);
  return res.text();
};
const csv = async (query = '') => {
  const res = await t.request(`/history.csv${query}`, { as: sam });
  expect(res.status).toBe(200);
  return res;
};
const rowsOf = (html: string) => [...html.matchAll(/<tr data-session-id="(vs_[^"]+)"/g)].map((m) => m[1]);
const countLine = (html: string) => /<span id="history-count">([^<]*)</.exec(html)![1];

/** Starts an SMS verification of the ticket's end-user (or of `email`, bound to the ticket); returns the session id. */
async function startSms(ticketId: string, email?: string, as: Browser = sam): Promise<string> {
  const res = await post(
    '/api/verifications',
    { ticketId, method: 'sms', ifActive: 'supersede', ...(email ? { email } : {}) },
    as,
  );
  expect(res.status).toBe(201);
  return (await json(res)).session.id;
}
async function checkCode(sessionId: string, phone: string, as: Browser = sam) {
  const res = await post(`/api/verifications/${sessionId}/check`, { code: t.codeSentTo(phone) }, as);
  expect((await json(res)).session.status).toBe('approved');
}

/** Minimal RFC 4180 reader for the assertions: quoted fields, doubled quotes, CRLF after every record. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    const next = text[i + 1];
    i++;
    if (quoted) {
      if (ch !== '"') field += ch;
      else if (next === '"') {
        field += '"';
        i++;
      } else quoted = false;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\r' && next === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += ch;
  }
  return rows;
}

describe('History: one row per verification, in words a technician and an auditor read', () => {
  let ana: string;
  let ben: string;
  let chloe: string;

  it('shows a verified and a cancelled verification with names, outcome, reason, UTC times and duration', async () => {
    ana = await startSms('1001'); // 09:00:00 UTC on the test clock
    t.clock.advance(42_000);
    await checkCode(ana, '+15550100001');
    t.clock.advance(60_000);
    ben = await startSms('1002');
    t.clock.advance(185_000);
    expect((await post(`/api/verifications/${ben}/cancel`, undefined)).status).toBe(200);

    const html = await page();
    expect(rowsOf(html)).toEqual([ben, ana]); // newest start first, one row each
    expect(countLine(html)).toBe('1–2 of 2 verifications');
    expect(html).toContain('Ana Silva');
    expect(html).toContain('Ben Okafor');
    expect(html).not.toContain('eu-ana'); // names, not internal ids
    expect(html).toContain(OUTCOME_TEXT.approved);
    expect(html).toContain(OUTCOME_TEXT.cancelled);
    expect(html).toContain('The technician cancelled it.');
    expect(html).toContain('<time datetime="2026-11-24T09:00:00.000Z">2026-11-24 09:00:00 UTC</time>');
    expect(html).toContain('<time datetime="2026-11-24T09:00:42.000Z">2026-11-24 09:00:42 UTC</time>');
    const anaRow = html.slice(html.indexOf(`data-session-id="${ana}"`));
    expect(anaRow.slice(0, anaRow.indexOf('</tr>'))).toMatch(
      /T20261124\.0001[\s\S]*SMS code[\s\S]*Sam Rivera[\s\S]*42 s/,
    );
    expect(html).toContain('3 min 5 s');
    expect(html).toContain('Read from all');
    expect(html).toContain('<link rel="stylesheet" href="/static/history.css" />');
    // Staff chrome with the signed-in technician.
    expect(html).toMatch(/class="who-am-i">\s*<span>Sam Rivera<\/span>/);
  });

  it('shows who took a verification over and one still in progress', async () => {
    chloe = await startSms('1003');
    t.clock.advance(5_000);
    const taken = await post(
      `/api/verifications/${chloe}/take-over`,
      { reason: 'Sam is on another call' },
      jo,
    );
    expect(taken.status).toBe(200);
    const html = await page('?outcome=in_progress');
    expect(rowsOf(html)).toEqual([chloe]);
    expect(html).toContain('Chloé Martin');
    expect(html).toMatch(/Sam Rivera<small>taken over by Jo Park<\/small>/);
    expect(html).toMatch(
      /<td data-label="Ended">in progress<\/td>\s*<td data-label="Duration">in progress<\/td>/,
    );
    expect(html).toContain('In progress');
  });

  it('filters by ticket number, end-user name or email, technician, outcome and UTC dates', async () => {
    expect(rowsOf(await page('?ticket=0002'))).toEqual([ben]);
    expect(rowsOf(await page('?ticket=1001'))).toEqual([ana]); // the PSA's ticket id works too
    expect(rowsOf(await page('?endUser=ANA.SILVA%40northwind'))).toEqual([ana]);
    expect(rowsOf(await page('?endUser=okafor'))).toEqual([ben]);
    expect(rowsOf(await page('?technician=jo+park'))).toEqual([chloe]);
    expect(rowsOf(await page('?technician=Sam'))).toEqual([chloe, ben, ana]);
    expect(rowsOf(await page('?outcome=approved'))).toEqual([ana]);
    expect(rowsOf(await page('?outcome=cancelled&ticket=0001'))).toEqual([]);
    expect(rowsOf(await page('?from=2026-11-24&to=2026-11-24'))).toHaveLength(3);
    const none = await page('?from=2026-11-25');
    expect(rowsOf(none)).toEqual([]);
    expect(none).toContain('No verification matches these filters.');
    expect(rowsOf(await page('?to=2026-11-23'))).toEqual([]);
    // The form shows the filters in force.
    expect(await page('?technician=Jo&outcome=denied')).toMatch(
      /name="technician" value="Jo"[\s\S]*<option value="denied" selected>/,
    );
    for (const bad of ['?from=24.11.2026', '?outcome=maybe', '?page=-1', `?technician=${'x'.repeat(129)}`])
      expect((await t.request(`/history${bad}`, { as: sam })).status, bad).toBe(400);
  });

  it('lists only one end-user from the Insight panel link, and says so', async () => {
    const html = await page('?endUserId=eu-ana');
    expect(rowsOf(html)).toEqual([ana]);
    expect(html).toContain('Only verifications of <strong>Ana Silva</strong>');
    expect(html).toContain('<input type="hidden" name="endUserId" value="eu-ana" />');
    expect(html).toContain('href="/history.csv?endUserId=eu-ana"');
  });

  it('pages 25 at a time, keeping the filters in the Previous and Next links', async () => {
    // 27 more verifications (cancelled), spread over three end-users to stay inside their send limits.
    for (let i = 0; i < 27; i++) {
      t.clock.advance(60_000);
      const id = await startSms(i % 2 ? '1002' : '1001');
      expect((await post(`/api/verifications/${id}/cancel`, undefined)).status).toBe(200);
    }
    const first = await page();
    expect(countLine(first)).toBe('1–25 of 30 verifications');
    expect(rowsOf(first)).toHaveLength(25);
    expect(first).toContain('href="/history?page=2" rel="next"');
    expect(first).not.toContain('rel="prev"');
    const second = await page('?page=2');
    expect(countLine(second)).toBe('26–30 of 30 verifications');
    expect(rowsOf(second).slice(-3)).toEqual([chloe, ben, ana]);
    expect(second).toContain('href="/history" rel="prev"');
    expect(second).toContain('Page 2 of 2');
    // Past the last page: the last page.
    expect(countLine(await page('?page=9'))).toBe('26–30 of 30 verifications');
    const cancelled = await page('?outcome=cancelled&technician=Sam');
    expect(countLine(cancelled)).toBe('1–25 of 28 verifications');
    expect(cancelled).toContain('href="/history?technician=Sam&amp;outcome=cancelled&amp;page=2" rel="next"');
    expect(cancelled).toContain('href="/history.csv?technician=Sam&amp;outcome=cancelled"');
  });

  it('exports every matching row as CSV: an attachment with a header row and RFC 4180 quoting', async () => {
    const res = await csv();
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe(
      'attachment; filename="qdesk-history-2026-11-24.csv"',
    );
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // the UTF-8 byte order mark
    const rows = parseCsv(new TextDecoder().decode(bytes)); // decoding drops the mark
    expect(rows[0]).toEqual([
      'Ticket',
      'End-user',
      'Purpose',
      'Method',
      'Outcome',
      'Reason',
      'Weaker choices used',
      'Technician',
      'Taken over by',
      'Started (UTC)',
      'Ended (UTC)',
      'Duration (s)',
      'Session',
      'End-user id',
    ]);
    expect(rows).toHaveLength(31); // every row, not one page
    const anaRow = rows.find((r) => r[12] === ana)!;
    expect(anaRow).toEqual([
      'T20261124.0001',
      'Ana Silva',
      'verify',
      'SMS code',
      OUTCOME_TEXT.approved,
      'The check succeeded.',
      '',
      'Sam Rivera',
      '',
      '2026-11-24T09:00:00.000Z',
      '2026-11-24T09:00:42.000Z',
      '42',
      ana,
      'eu-ana',
    ]);
    expect(rows.find((r) => r[12] === chloe)!.slice(7, 11)).toEqual([
      'Sam Rivera',
      'Jo Park',
      expect.stringMatching(/^2026-11-24T/),
      '',
    ]);
    // The same filters as the page.
    const filtered = parseCsv(await (await csv('?endUser=Okafor&outcome=cancelled')).text());
    expect(filtered.slice(1).map((r) => r[1])).toEqual(Array(14).fill('Ben Okafor'));
  });

  it('neutralises spreadsheet formulas and quotes commas and quotes in a name from the directory', async () => {
    const name = '=HYPERLINK("https://evil.example","Open"), Jr';
    t.services.directory.put({
      id: 'eu-formula',
      tenantId: t.services.tenantId,
      email: 'formula@northwind.example',
      displayName: name,
      mobilePhone: '+15550100099',
      customerId: 'cust-northwind',
      devices: [],
    });
    t.clock.advance(60_000);
    const id = await startSms('1001', 'formula@northwind.example');
    await checkCode(id, '+15550100099');
    const text = await (await csv('?endUser=formula%40')).text();
    expect(text).toContain('"\'=HYPERLINK(""https://evil.example"",""Open""), Jr"');
    expect(parseCsv(text)[1]![1]).toBe(`'${name}`);
    // On the page it is text, escaped.
    expect(await page('?endUser=formula%40')).toContain(
      '=HYPERLINK(&quot;https://evil.example&quot;,&quot;Open&quot;), Jr',
    );
  });

  it('escapes every formula trigger in a CSV field, and quotes only what RFC 4180 needs', () => {
    for (const s of ['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx'])
      expect(csvField(s).replace(/^"|"$/g, '')).toMatch(/^'/);
    expect(csvField('Ana Silva')).toBe('Ana Silva');
    expect(csvField('a "b"')).toBe('"a ""b"""');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('a\nb')).toBe('"a\nb"');
    expect(csvField(42)).toBe('42');
  });

  it('shows no code, no full phone number and no token, on the page or in the CSV', async () => {
    const sent = [...t.services.outbox!.sms.messages(), ...t.services.outbox!.email.messages()].flatMap(
      (e) => (e.message.route !== 'push' && 'code' in e.message.context ? [e.message.context.code] : []),
    );
    expect(sent.length).toBeGreaterThan(20);
    const everything = (await page()) + (await page('?page=2')) + (await (await csv()).text());
    for (const code of new Set(sent)) expect(everything).not.toMatch(new RegExp(`(?<!\\d)${code}(?!\\d)`));
    expect(everything).not.toMatch(/\+1555/);
    expect(everything).not.toMatch(/token/i);
  });
});

describe('the Insight panel API: one end-user’s last verifications', () => {
  it('answers the latest rows in the page’s words, counted from the server clock', async () => {
    const res = await t.request('/api/history/end-user/eu-ana?limit=2', { as: sam });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.endUser).toEqual({ id: 'eu-ana', name: 'Ana Silva', known: true });
    expect(body.total).toBeGreaterThan(2);
    expect(body.rows).toHaveLength(2);
    expect(body.rows[0]).toEqual({
      ticketNumber: 'T20261124.0001',
      purpose: 'verify',
      method: 'SMS code',
      outcome: 'cancelled',
      outcomeText: OUTCOME_TEXT.cancelled,
      reason: 'The technician cancelled it.',
      technician: 'Sam Rivera',
      startedAt: expect.any(Number),
      startedText: expect.stringMatching(/^2026-11-24 \d\d:\d\d:\d\d UTC$/),
      duration: '0 s',
    });
    expect(body.historyUrl).toBe('/history?endUserId=eu-ana');
    expect(body.now).toBe(t.clock.now());
    expect((await json(await t.request('/api/history/end-user/eu-ana', { as: sam }))).rows).toHaveLength(5);
  });

  it('answers an unknown end-user with 404 and a bad limit with 400', async () => {
    expect((await t.request('/api/history/end-user/eu-nobody', { as: sam })).status).toBe(404);
    expect((await t.request('/api/history/end-user/eu-ana?limit=lots', { as: sam })).status).toBe(400);
  });
});

describe('History is for signed-in staff only', () => {
  it('sends a visitor without a technician sign-in away, and the API answers 401', async () => {
    for (const path of ['/history', '/history.csv']) {
      const res = await t.request(path);
      expect(res.status, path).toBe(303);
      expect(await res.text()).not.toContain('Ana Silva');
    }
    expect((await t.request('/api/history/end-user/eu-ana')).status).toBe(401);
    // An end-user's self-serve sign-in is not a technician's.
    const anaPhone = await t.endUser('eu-ana');
    expect((await t.request('/api/history/end-user/eu-ana', { as: anaPhone })).status).toBe(401);
  });

  it('outside demo mode, redirects to the sign-in page with the way back', async () => {
    const env = readEnv({ PORT: '0' });
    const { app } = createApp({ ...t.services, demo: false }, env);
    for (const path of ['/history?outcome=approved', '/history.csv']) {
      const res = await app.request(`http://127.0.0.1${path}`);
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe(`/login?next=${encodeURIComponent(path)}`);
    }
  });
});

describe('reading the audit log: a bounded window, honestly', () => {
  const tenantId = 'msp';
  const at = Date.UTC(2026, 10, 24, 9);
  const base = {
    tenantId,
    ticketId: '7',
    ticketNumber: 'T7',
    endUserId: 'u1',
    method: 'sms' as const,
    status: null,
  };
  const technician = { type: 'technician' as const, id: 'tech-1', name: 'Tech One' };
  const system = { type: 'system' as const, id: 'qdesk' };
  const record = (i: number, r: Partial<AuditRecord>): AuditRecord => ({
    ...base,
    id: `au${i}`,
    at: at + i * 1000,
    sessionId: null,
    action: 'policy_change',
    actor: technician,
    result: 'ok',
    ...r,
  });

  it(`leaves out a verification whose start is older than the newest ${HISTORY_WINDOW} records, and counts it`, async () => {
    const audit = createMemoryAuditLog();
    await audit.append(record(0, { sessionId: 'vs_old', action: 'start', detail: { purpose: 'verify' } }));
    for (let i = 1; i < HISTORY_WINDOW; i++) await audit.append(record(i, { endUserId: null }));
    await audit.append(
      record(HISTORY_WINDOW, { sessionId: 'vs_old', action: 'outcome', actor: system, result: 'approved' }),
    );
    await audit.append(
      record(HISTORY_WINDOW + 1, { sessionId: 'vs_new', action: 'start', detail: { purpose: 'reverse' } }),
    );
    await audit.append(
      record(HISTORY_WINDOW + 2, {
        sessionId: 'vs_new',
        action: 'outcome',
        actor: system,
        result: 'denied',
        method: 'number_match',
        detail: { reason: 'wrong_number', purpose: 'reverse', weaker: 'compare' },
      }),
    );
    const directory = createMemoryDirectory(); // u1 is gone from it
    const { rows, window } = await readVerifications({ audit, directory, tenantId });
    expect(window).toEqual({ limit: HISTORY_WINDOW, records: HISTORY_WINDOW, cutOff: 1 });
    expect(rows).toEqual([
      {
        sessionId: 'vs_new',
        ticket: { id: '7', number: 'T7' },
        endUser: { id: 'u1', name: 'u1', email: null, known: false },
        purpose: 'reverse',
        method: 'number_match',
        outcome: 'denied',
        reason: 'wrong_number',
        weaker: ['compare'],
        technician: { id: 'tech-1', name: 'Tech One' },
        takenOverBy: null,
        startedAt: at + (HISTORY_WINDOW + 1) * 1000,
        endedAt: at + (HISTORY_WINDOW + 2) * 1000,
      },
    ]);
  });

  it('says on the page whether it read the whole log or only its newest records', async () => {
    expect(await page()).toMatch(/Read from all [\d,]+ audit records\./);
    // Records of something else (a policy change each) fill the window: the verifications fall out of it.
    const audit = t.services.audit;
    for (let i = 0; i < HISTORY_WINDOW; i++)
      await audit.append(record(i, { tenantId: t.services.tenantId, endUserId: null, at: t.clock.now() }));
    const html = await page();
    expect(html).toContain('Read from the newest 5,000 audit records: older verifications are not shown.');
    expect(rowsOf(html)).toEqual([]);
  });
});
