import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditTrail, type Browser, json, startTestApp, type TestApp } from './test-app.test-helpers.js';

let t: TestApp;
let sam: Browser;
let jo: Browser;
beforeAll(async () => {
  t = await startTestApp();
  [sam, jo] = await Promise.all([t.staff('tech-demo'), t.staff('tech-jo')]);
});
afterAll(() => t.close());

const post = (path: string, body: unknown, as: Browser | null = sam) =>
  t.request(path, { method: 'POST', json: body, as });
const pushes = () => t.services.outbox!.push.messages().length;
const smsTo = (to: string) =>
  t.services.outbox!.sms.messages().filter((e) => e.message.route === 'sms' && e.message.to === to).length;

const page = async (path: string, init: { as?: Browser | null; headers?: Record<string, string> } = {}) =>
  (await t.request(path, { as: sam, ...init })).text();

describe('the Insight page under the NIST defaults', () => {
  it('pre-selects number match, labels SMS as restricted and offers no weaker method on a Northwind ticket', async () => {
    const html = await page('/insight?ticketId=1001');
    expect(html).toMatch(/value="number_match"[^>]*checked/);
    expect(html).toContain('SMS code (restricted)');
    expect(html).not.toContain('Approve-only push');
    expect(html).not.toContain('Show me the code to compare');
    // Who is being verified and where the request goes, without the full number or address.
    expect(html).toContain('Ana Silva');
    expect(html).toContain('Northwind Traders Inc.');
    expect(html).toMatch(/id="who-destination">QDesk app on 1 device</);
    expect(html).not.toContain('+15550100001');
    // The words to read to the caller, and the manual's SEND VERIFICATION.
    expect(html).toContain('When it appears, type the number I read you.');
    expect(html).toMatch(/id="send"[^>]*>SEND VERIFICATION</);
  });

  it('offers Push with "Send Verification Code" locked on where the policy has no approve-only push', async () => {
    const html = await page('/insight?ticketId=1001');
    expect(html).toMatch(/name="push-code" checked disabled/);
    expect(html).toContain('asks for a code after every Approve.');
  });

  it('pre-selects SMS, not a push that would become one, where no device can show a push', async () => {
    // Ben's only device reported notifications off: a push method falls back to an SMS code.
    const html = await page('/insight?ticketId=1002');
    expect(html).toMatch(/value="sms"[^>]*checked/);
    expect(html).not.toMatch(/value="number_match"[^>]*checked/);
    expect(html).toMatch(/id="who-destination">SMS to \+1•+0002</);
    expect(html).toMatch(/id="send"[^>]*>SEND CODE</);
    // Each choice carries where it would really go, for the page to show when the technician picks it.
    const routes = JSON.parse(
      /data-routes="([^"]+)"/.exec(html)![1]!.replaceAll('&quot;', '"').replaceAll('&amp;', '&'),
    );
    expect(routes.number_match.destination).toMatch(/^SMS to \+1•+0002, not the app$/);
    expect(routes.number_match.send).toBe('SEND CODE');
  });

  it("shows Contoso's accepted weaker choices as weaker, still pre-selecting number match", async () => {
    const html = await page('/insight?ticketId=1004');
    expect(html).toContain('Off: Approve-only push — weaker, accepted by policy.');
    expect(html).toMatch(/name="push-code" checked\s/);
    expect(html).not.toMatch(/name="push-code"[^>]*disabled/);
    expect(html).toContain('Email code — weaker, accepted by policy');
    expect(html).toContain('Show me the code to compare (instead of typing it) — weaker, accepted by policy');
    expect(html).toMatch(/value="number_match"[^>]*checked/);
  });
});

describe('the Insight inside a ticket panel', () => {
  it("drops the app header when embedded (embedded=1, Autotask's entityid, or loaded in a frame)", async () => {
    const staff = await page('/insight?ticketId=1001');
    expect(staff).toContain('<header class="bar">');
    expect(staff).toContain('href="/static/insight.css"');
    for (const [path, headers] of [
      ['/insight?ticketId=1001&embedded=1', {}],
      ['/insight?ticketId=1001&entityid=1001', {}],
      ['/insight?ticketId=1001', { 'sec-fetch-dest': 'iframe' }],
    ] as const) {
      const html = await page(path, { headers });
      expect(html, path).not.toContain('<header');
      expect(html, path).toContain('<body class="embedded">');
    }
  });

  it('is never served from a cache, so Back shows the verification as it is now', async () => {
    const res = await t.request('/insight?ticketId=1001', { as: sam });
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('answers a malformed ticket id with a page that says what to do, not JSON', async () => {
    for (const id of ['abc', '1001x', '']) {
      const res = await t.request(`/insight?ticketId=${id}&embedded=1`, { as: sam });
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toContain('text/html');
      const html = await res.text();
      expect(html).toContain('This Insight link names no ticket');
      expect(html).toContain('Open the ticket again in Autotask');
      expect(html).not.toContain('<header');
    }
    const escaped = await page('/insight?ticketId=%3Cscript%3E');
    expect(escaped).toContain('&lt;script&gt;');
    expect(escaped).not.toContain('<script>');
  });

  it('shows a verification in progress on load instead of the picker', async () => {
    const started = await json(
      await post('/api/verifications', { ticketId: '1003', method: 'sms', ifActive: 'supersede' }),
    );
    const html = await page('/insight?ticketId=1003', { as: jo });
    expect(html).toContain(`data-active-session="${started.session.id}"`);
    expect(html).toMatch(/<form id="send-form"[^>]*\shidden>/);
    expect(html).toContain('SMS code, started by Sam Rivera. Reading its status…');
    await post(`/api/verifications/${started.session.id}/cancel`, undefined);
  });
});

describe('starting: one verification per ticket, one send per click', () => {
  it('a repeated idempotency key starts and sends once', async () => {
    const body = { ticketId: '1002', method: 'sms', idempotencyKey: 'click-0001-aaaa' };
    const before = smsTo('+15550100002');
    const first = await post('/api/verifications', body);
    const again = await post('/api/verifications', body);
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    const [a, b] = [await json(first), await json(again)];
    expect(b).toMatchObject({ resumed: true, replayed: true, display: {} });
    expect(b.session.id).toBe(a.session.id);
    expect(smsTo('+15550100002')).toBe(before + 1);
  });

  it('a start on a ticket with one in progress shows that one (a reload) and sends nothing', async () => {
    const before = smsTo('+15550100002');
    const res = await post('/api/verifications', {
      ticketId: '1002',
      method: 'sms',
      idempotencyKey: 'click-0002',
    });
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ resumed: true, session: { status: 'sent' } });
    expect(smsTo('+15550100002')).toBe(before);
    const page = await (await t.request('/insight?ticketId=1002', { as: sam })).text();
    expect(page).toMatch(/data-active-session="vs_[A-Za-z0-9_-]+"/);
  });

  it('refuses another end-user on a ticket with a verification in progress (409), and supersede replaces it', async () => {
    const ben = { ticketId: '1002', email: 'ben.okafor@northwind.example', method: 'sms' };
    const ana = { ...ben, email: 'ana.silva@northwind.example' };
    const refused = await post('/api/verifications', ana);
    expect(refused.status).toBe(409);
    expect((await json(refused)).error.code).toBe('verification_in_progress');
    const replaced = await post('/api/verifications', { ...ana, ifActive: 'supersede' });
    expect(replaced.status).toBe(201);
    const body = await json(replaced);
    expect(body.endUser).toMatchObject({ id: 'eu-ana', maskedEmail: expect.any(String) });
    await post(`/api/verifications/${body.session.id}/cancel`, undefined);
  });

  it("refuses an email start for someone outside the ticket company's customer (422)", async () => {
    const res = await post('/api/verifications', {
      ticketId: '1001',
      email: 'eva.schmidt@fabrikam.example',
      method: 'sms',
    });
    expect(res.status).toBe(422);
    expect((await json(res)).error.code).toBe('end_user_not_on_ticket_customer');
  });

  it('refuses a weaker method a customer has not accepted (422), leaving nothing in progress on the ticket', async () => {
    const res = await post('/api/verifications', { ticketId: '1001', method: 'push' });
    expect(res.status).toBe(422);
    expect((await json(res)).error.code).toBe('method_unavailable');
    const page = await (await t.request('/insight?ticketId=1001', { as: sam })).text();
    expect(page).toContain('data-active-session=""');
  });

  it('binds an end-user of another customer to the ticket only with a reason, where the policy allows it', async () => {
    const body = {
      ticketId: '1005',
      email: 'ana.silva@northwind.example',
      method: 'sms',
      override: { reason: 'Northwind staff on loan to Fabrikam this month' },
    };
    const refused = await post('/api/verifications', body);
    expect(refused.status).toBe(403);
    expect((await json(refused)).error.code).toBe('forbidden');
    const alex = await t.staff('admin-demo');
    const changed = await t.request('/api/admin/policies/_tenant', {
      method: 'PUT',
      as: alex,
      json: { settings: { allowTicketOverride: true } },
    });
    expect(changed.status).toBeLessThan(300);
    const started = await post('/api/verifications', { ...body, ifActive: 'supersede' });
    expect(started.status).toBeLessThan(300);
    expect((await json(started)).session.override).toEqual({ reason: body.override.reason });
  });

  it('answers bad start bodies with 400', async () => {
    for (const body of [
      { ticketId: '1005', method: 'sms', idempotencyKey: 'short' },
      { ticketId: '1005', method: 'sms', ifActive: 'steal' },
      { ticketId: '1005', email: 'eva.schmidt@fabrikam.example', method: 'sms', override: { reason: 'x' } },
    ]) {
      expect((await post('/api/verifications', body)).status, JSON.stringify(body)).toBe(400);
    }
  });
});

describe('why a verification ended, as the API says it', () => {
  const start = async (ticketId: string) =>
    (await json(await post('/api/verifications', { ticketId, method: 'sms', ifActive: 'supersede' })))
      .session;

  it("is null while open, and core's reason once closed: cancelled, denied by the technician, superseded", async () => {
    const open = await start('1002');
    expect(open.outcomeReason).toBeNull();
    const read = await json(await t.request(`/api/verifications/${open.id}`, { as: sam }));
    expect(read.session.outcomeReason).toBeNull();
    const cancelled = await json(await post(`/api/verifications/${open.id}/cancel`, undefined));
    expect(cancelled.session).toMatchObject({ status: 'cancelled', outcomeReason: 'cancelled' });

    const denied = await start('1002');
    const deny = await json(await post(`/api/verifications/${denied.id}/deny`, undefined));
    expect(deny.session).toMatchObject({ status: 'denied', outcomeReason: 'technician_denied' });

    const replaced = await start('1002');
    await start('1002');
    const after = await json(await t.request(`/api/verifications/${replaced.id}`, { as: sam }));
    expect(after.session).toMatchObject({ status: 'cancelled', outcomeReason: 'superseded' });
  });

  it('says too_many_attempts after the last wrong code, with the attempts left counted down before it', async () => {
    const session = await start('1001');
    const code = t.codeSentTo('+15550100001');
    const wrong = code.replace(/^\d/, (d) => String((Number(d) + 1) % 10));
    const left: number[] = [];
    let last: { session: { status: string; outcomeReason: string | null } } | null = null;
    for (let i = 0; i < session.maxAttempts; i++) {
      last = await json(await post(`/api/verifications/${session.id}/check`, { code: wrong }));
      left.push((last as unknown as { attemptsLeft: number }).attemptsLeft);
    }
    expect(left).toEqual([4, 3, 2, 1, 0]);
    expect(last!.session).toMatchObject({ status: 'denied', outcomeReason: 'too_many_attempts' });
  });

  it('says expired once the deadline passed, on the next read', async () => {
    const session = await start('1003');
    t.clock.advance(11 * 60_000);
    const read = await json(await t.request(`/api/verifications/${session.id}`, { as: sam }));
    expect(read.session).toMatchObject({ status: 'expired', outcomeReason: 'expired' });
  });
});

describe('POST /api/verifications/:id/take-over', () => {
  it("tells the live stream of the verification at once, so the previous technician's page learns it", async () => {
    const { session } = await json(
      await post('/api/verifications', { ticketId: '1002', method: 'sms', ifActive: 'supersede' }),
    );
    const stream = await t.request(`/api/verifications/${session.id}/events`, { as: sam });
    const reader = stream.body!.pipeThrough(new TextDecoderStream()).getReader();
    const until = async (text: string) => {
      let seen = '';
      while (!seen.includes(text)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended before ${text}: ${seen}`);
        seen += value;
      }
      return seen;
    };
    await until('"event":"snapshot"');
    expect(
      (await post(`/api/verifications/${session.id}/take-over`, { reason: 'Sam is at lunch' }, jo)).status,
    ).toBe(200);
    expect(await until('session.handed_over')).toContain(`"sessionId":"${session.id}"`);
    await reader.cancel();
    await post(`/api/verifications/${session.id}/cancel`, undefined, jo);
  });

  it('another technician is refused (403) until they take the verification over with a reason', async () => {
    const started = await json(
      await post('/api/verifications', { ticketId: '1003', method: 'sms', ifActive: 'supersede' }),
    );
    const id = started.session.id;
    const code = t.codeSentTo('+15550100003');
    const refused = await post(`/api/verifications/${id}/check`, { code }, jo);
    expect(refused.status).toBe(403);
    expect((await json(refused)).error.code).toBe('forbidden');
    expect((await t.request(`/api/verifications/${id}`, { as: jo })).status).toBe(200); // reading is allowed

    expect((await post(`/api/verifications/${id}/take-over`, { reason: 'no' }, jo)).status).toBe(400);
    expect((await post(`/api/verifications/${id}/take-over`, {}, jo)).status).toBe(400);
    const taken = await post(`/api/verifications/${id}/take-over`, { reason: 'Sam went home sick' }, jo);
    expect(taken.status).toBe(200);
    expect((await json(taken)).session.technician).toEqual({
      id: 'tech-jo',
      name: 'Jo Park',
      email: 'jo.park@qdesk-msp.example',
    });
    expect((await post(`/api/verifications/${id}/cancel`, undefined, sam)).status).toBe(403);
    const checked = await json(await post(`/api/verifications/${id}/check`, { code }, jo));
    expect(checked.session.status).toBe('approved');
    const record = (await auditTrail(t.services)).findLast((r) => r.action === 'take_over');
    expect(record).toMatchObject({ actor: { id: 'tech-jo' }, detail: { reason: 'Sam went home sick' } });
  });

  it('needs a signed-in technician and the CSRF token, and answers an unknown session with 404', async () => {
    const path = '/api/verifications/vs_unknown/take-over';
    expect((await post(path, { reason: 'because' }, null)).status).toBe(401);
    expect((await post(path, { reason: 'because' }, { ...jo, csrf: 'forged' })).status).toBe(403);
    expect((await post(path, { reason: 'because' }, jo)).status).toBe(404);
  });
});

describe('POST /api/reverse: the end-user checks the technician calling them', () => {
  it('sends a number match to the app; the end-user types the number and the ticket gets the note', async () => {
    const before = pushes();
    const res = await post('/api/reverse', {
      endUserId: 'eu-ana',
      ticketId: '1001',
      idempotencyKey: 'rev-0001',
    });
    expect(res.status).toBe(201);
    const { session, display } = await json(res);
    expect(session).toMatchObject({ purpose: 'reverse', method: 'number_match', status: 'awaiting_push' });
    expect(display.matchNumber).toMatch(/^\d{6}$/);
    expect(pushes()).toBe(before + 1);
    const ana = await t.endUser('eu-ana');
    const { challenges } = await json(await t.request('/api/self-serve/pending', { as: ana }));
    const challenge = challenges.find((c: { challengeId: string }) => c.challengeId === session.id);
    expect(challenge).toMatchObject({
      purpose: 'reverse',
      display: { technicianName: 'Sam Rivera', mspName: 'Demo MSP', ticketNumber: 'T20261124.0001' },
    });
    const answer = {
      sessionId: session.id,
      token: challenge.token,
      answer: 'number',
      number: display.matchNumber,
    };
    expect(await json(await post('/api/self-serve/answer', answer, ana))).toMatchObject({
      status: 'approved',
    });
    const note = t.services.autotask!.state.notes('1001').at(-1);
    expect(note?.title).toBe('QDesk: Technician Identity Confirmed by End-User: Ana Silva');
  });

  it('never counts as a verified end-user: no grant follows a reverse check', async () => {
    const res = await post('/api/grants', {
      endUserId: 'eu-ana',
      ticketId: '1001',
      action: 'reset_password',
    });
    expect(res.status).toBe(403);
    expect((await json(res)).error.code).toBe('not_verified');
  });

  it('answers who cannot be reached with 422 no_delivery_route, and bad input with 400 or 404', async () => {
    t.services.directory.put({
      id: 'eu-offline',
      tenantId: t.services.tenantId,
      email: 'offline@northwind.example',
      displayName: 'Off Line',
      mobilePhone: null,
      customerId: 'cust-northwind',
      devices: [],
    });
    const res = await post('/api/reverse', { endUserId: 'eu-offline' });
    expect(res.status).toBe(422);
    expect((await json(res)).error.code).toBe('no_delivery_route');
    expect((await post('/api/reverse', { email: 'nobody@nowhere.example' })).status).toBe(404);
    for (const body of [
      {},
      { endUserId: 'eu-ana', email: 'ana.silva@northwind.example' },
      { ticketId: '1001' },
    ])
      expect((await post('/api/reverse', body)).status, JSON.stringify(body)).toBe(400);
    expect((await post('/api/reverse', { endUserId: 'eu-ana' }, null)).status).toBe(401);
    expect((await post('/api/reverse', { endUserId: 'eu-ana' }, { ...sam, csrf: 'x' })).status).toBe(403);
  });
});
