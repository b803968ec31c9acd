import type { OutboxChannel } from '@qdesk/core/memory';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ENROLMENT_LIMITS, readEnrolmentToken, signEnrolmentToken, tellOldNumber } from './enrolment.js';
import { LINK_ON_ITS_WAY } from './self-serve-page.js';
import {
  auditTrail,
  type Browser,
  json,
  ORIGIN,
  startTestApp,
  type TestApp,
} from './test-app.test-helpers.js';

// Sign-in links in demo mode, in process: what the form answers (the same whether or not the address is on file),
// where the link goes (only to what is on file), how often one may be asked for, and how a link is redeemed (once,
// before it expires, in this tenant only). The outbox stands in for the phone and the mailbox.

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());
// Each test starts past the previous one's windows (and links).
beforeEach(() => {
  t.clock.advance(ENROLMENT_LIMITS.windowMs + 60_000);
});

const ANA = { id: 'eu-ana', email: 'ana.silva@northwind.example', phone: '+15550100001' };
const DEV = { id: 'eu-dev', email: 'dev.patel@contoso-dental.example' };

/** What the in-process request looks like to getConnInfo: a socket from `address`. */
const fromAddress = (address: string) => ({
  incoming: { socket: { remoteAddress: address, remotePort: 50_000, remoteFamily: 'IPv4' } },
});

/** The form, typed into from `address`. */
const ask = (email: string, address = '198.51.100.7') =>
  t.app.request(
    `${ORIGIN}/self-serve/enrol`,
    {
      method: 'POST',
      headers: { origin: ORIGIN, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email }).toString(),
    },
    fromAddress(address),
  );

const outboxes = () => [t.services.outbox!.sms, t.services.outbox!.email] as OutboxChannel[];

/** Every sign-in link message in the outboxes, oldest first: who it went to and the link. */
function linksSent() {
  return outboxes()
    .flatMap((o) => o.messages())
    .sort((a, b) => a.at - b.at)
    .flatMap(({ message: m }) =>
      m.route !== 'push' && 'kind' in m.context && m.context.kind === 'enrolment_link'
        ? [{ route: m.route, to: m.to, link: m.context.link!, text: m.text }]
        : [],
    );
}

/** Waits (bounded) until `count` more links were sent than `before`; the form sends after it answered. */
async function newLinks(before: number, count = 1) {
  await vi.waitFor(() => expect(linksSent().length).toBe(before + count), { timeout: 2000, interval: 10 });
  return linksSent().slice(before);
}

const pathOf = (link: string) => new URL(link).pathname;
const open = (path: string) => t.app.request(`${ORIGIN}${path}`);
const confirm = (path: string) =>
  t.app.request(`${ORIGIN}${path}`, {
    method: 'POST',
    headers: { origin: ORIGIN, 'content-type': 'application/x-www-form-urlencoded' },
    body: '',
  });
const cookieOf = (res: Response) => (res.headers.get('set-cookie') ?? '').split(';')[0]!;

describe('asking for a sign-in link', () => {
  it('sends it by SMS to the phone on file, whatever case the address is typed in, and to nothing typed', async () => {
    const before = linksSent().length;
    const res = await ask('  Ana.Silva@NORTHWIND.example ');
    expect(res.status).toBe(200);
    expect(await res.text()).toContain(LINK_ON_ITS_WAY);
    const [sent] = await newLinks(before);
    expect(sent).toMatchObject({ route: 'sms', to: ANA.phone });
    expect(sent!.link).toMatch(new RegExp(`^${ORIGIN}/self-serve/enrol/v1\\.[\\w-]+\\.[\\w-]{43}$`));
    expect(sent!.text).toContain(sent!.link);
    // The link is Ana's own: her tenant, her id, 15 minutes.
    const token = readEnrolmentToken(t.services.cookieKey, pathOf(sent!.link).split('/').pop()!);
    expect(token).toMatchObject({ tenantId: t.services.tenantId, endUserId: ANA.id });
    expect(token!.expiresAt).toBe(t.clock.now() + ENROLMENT_LIMITS.linkLifetimeMs);
  });

  it('sends it to the email on file when no phone is on file', async () => {
    const before = linksSent().length;
    expect((await ask(DEV.email.toUpperCase())).status).toBe(200);
    const [sent] = await newLinks(before);
    expect(sent).toMatchObject({ route: 'email', to: DEV.email });
  });

  it('answers an address not on file with the same page and status, and sends nothing anywhere', async () => {
    const before = outboxes().map((o) => o.messages().length);
    const links = linksSent().length;
    const known = await ask(ANA.email);
    const unknown = await ask('nobody@northwind.example');
    expect(unknown.status).toBe(known.status);
    expect(await unknown.text()).toBe(await known.text());
    await newLinks(links); // Ana's only
    expect(outboxes().map((o) => o.messages().length)).toEqual([before[0]! + 1, before[1]]);
    expect(linksSent().some((l) => l.to.includes('nobody'))).toBe(false);
  });

  it('refuses what is not one plain address, before looking anything up, and keeps what was typed', async () => {
    for (const typed of ['', 'ana', `${ANA.email}, mallory@evil.example`, `"Ana" <${ANA.email}>`]) {
      const res = await ask(typed);
      expect(res.status, typed).toBe(400);
      const page = await res.text();
      expect(page).toContain('Type your work email address');
      expect(page).toContain('aria-invalid="true"');
    }
    const broken = await t.app.request(`${ORIGIN}/self-serve/enrol`, {
      method: 'POST',
      headers: { origin: ORIGIN, 'content-type': 'multipart/form-data; boundary=x' },
      body: '--nope',
    });
    expect(broken.status).toBe(400);
  });

  it('allows 3 links per address in 15 minutes, then 429 alike for an address on file and one that is not', async () => {
    const before = linksSent().length;
    for (let i = 0; i < ENROLMENT_LIMITS.perTypedAddress; i++) {
      expect((await ask(ANA.email, `198.51.100.${10 + i}`)).status).toBe(200);
      expect((await ask('ghost@northwind.example', `198.51.100.${20 + i}`)).status).toBe(200);
    }
    await newLinks(before, ENROLMENT_LIMITS.perTypedAddress);
    const known = await ask(ANA.email, '198.51.100.30');
    const unknown = await ask('ghost@northwind.example', '198.51.100.31');
    expect([known.status, unknown.status]).toEqual([429, 429]);
    expect(known.headers.get('retry-after')).toBe('900');
    const [knownPage, unknownPage] = [await known.text(), await unknown.text()];
    expect(knownPage).toContain('wait 15 minutes');
    expect(knownPage.replace(ANA.email, 'X')).toBe(unknownPage.replace('ghost@northwind.example', 'X'));
    t.clock.advance(ENROLMENT_LIMITS.windowMs);
    const after = linksSent().length;
    expect((await ask(ANA.email, '198.51.100.32')).status).toBe(200);
    await newLinks(after);
  });

  it('allows 10 requests per client address in 15 minutes, whatever addresses are typed', async () => {
    for (let i = 0; i < ENROLMENT_LIMITS.perClientAddress; i++)
      expect((await ask(`guess-${i}@northwind.example`, '203.0.113.9')).status).toBe(200);
    const refused = await ask(ANA.email, '203.0.113.9');
    expect(refused.status).toBe(429);
    expect(await refused.text()).toContain('from this network');
    const before = linksSent().length;
    expect((await ask(ANA.email, '203.0.113.10')).status).toBe(200);
    await newLinks(before);
  });
});

describe('redeeming a link', () => {
  async function linkFor(email: string) {
    const before = linksSent().length;
    await ask(email);
    return pathOf((await newLinks(before))[0]!.link);
  }

  it('shows a button and spends nothing on opening; the button signs in once, and the second press is refused', async () => {
    const path = await linkFor(ANA.email);
    for (let i = 0; i < 2; i++) {
      // A mail scanner following the link twice: a page with a button, nothing signed in, nothing spent.
      const page = await open(path);
      expect(page.status).toBe(200);
      expect(page.headers.get('set-cookie')).toBeNull();
      const html = await page.text();
      expect(html).toContain(`<form method="post" action="${path}"`);
      expect(html).toContain('Sign in on this browser');
    }
    const first = await confirm(path);
    expect(first.status).toBe(303);
    expect(first.headers.get('location')).toBe('/self-serve');
    const cookie = cookieOf(first);
    expect(await (await t.request('/self-serve', { as: { cookie, csrf: '' } })).text()).toContain(
      'Hi Ana Silva',
    );

    const again = await confirm(path);
    expect(again.status).toBe(410);
    expect(again.headers.get('set-cookie')).toBeNull();
    expect(await again.text()).toContain('This link was used already');
    expect((await open(path)).status).toBe(410);

    const trail = await auditTrail(t.services);
    const signedIn = trail.filter((r) => r.action === 'end_user_signed_in');
    expect(signedIn).toHaveLength(1);
    expect(signedIn[0]).toMatchObject({
      endUserId: ANA.id,
      actor: { type: 'device', id: ANA.id, name: 'Ana Silva' },
      detail: { method: 'enrolment_link' },
    });
    // Nothing on the audit trail holds a link or its token.
    const token = path.split('/').pop()!;
    expect(JSON.stringify(trail)).not.toContain(token.split('.')[2]);
  });

  it('lets only one of two presses at the same moment sign in', async () => {
    const path = await linkFor(ANA.email);
    const statuses = (await Promise.all([confirm(path), confirm(path), confirm(path)])).map((r) => r.status);
    expect(statuses.sort()).toEqual([303, 410, 410]);
  });

  it('refuses an expired link with 410, saying to ask for a new one', async () => {
    const path = await linkFor(ANA.email);
    t.clock.advance(ENROLMENT_LIMITS.linkLifetimeMs);
    for (const res of [await open(path), await confirm(path)]) {
      expect(res.status).toBe(410);
      const html = await res.text();
      expect(html).toContain('This link has expired');
      expect(html).toContain('href="/self-serve/enrol"');
    }
  });

  it('refuses a changed, cut or made-up link with 400, and one of another tenant', async () => {
    const path = await linkFor(ANA.email);
    const token = path.split('/').pop()!;
    const [, payload, signature] = token.split('.') as [string, string, string];
    // Ana's link rewritten for Ben, keeping her signature.
    const forBen = Buffer.from(
      JSON.stringify({ ...readEnrolmentToken(t.services.cookieKey, token), endUserId: 'eu-ben' }),
    ).toString('base64url');
    const flipped = `${signature.slice(0, 10)}${signature[10] === 'A' ? 'B' : 'A'}${signature.slice(11)}`;
    for (const bad of [
      `v1.${forBen}.${signature}`,
      `v1.${payload}.${flipped}`,
      `v1.${payload}`,
      token.slice(0, -5),
      'nonsense',
      'x'.repeat(2000),
    ]) {
      const res = await confirm(`/self-serve/enrol/${bad}`);
      expect(res.status, bad.slice(0, 40)).toBe(400);
      expect(await res.text()).toContain('This link is not complete');
    }
    const otherTenant = signEnrolmentToken(t.services.cookieKey, {
      tenantId: 'another-msp',
      endUserId: ANA.id,
      expiresAt: t.clock.now() + 60_000,
      nonce: 'n'.repeat(22),
    });
    const res = await confirm(`/self-serve/enrol/${otherTenant}`);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('This link is for another organisation');
    // The original was never spent by any of that.
    expect((await confirm(path)).status).toBe(303);
  });
});

describe('a technician sends a link', () => {
  let sam: Browser;
  // Signed in afresh: the clock moves past a technician's idle hour between tests.
  beforeEach(async () => {
    sam = await t.staff('tech-demo');
  });
  const send = (endUserId: string, as: Browser | null = sam) =>
    t.request(`/api/end-users/${endUserId}/enrolment-link`, { method: 'POST', as });

  it('sends it to what is on file, never shows the link, and audits the technician as the actor', async () => {
    const before = linksSent().length;
    const res = await send(ANA.id);
    expect(res.status).toBe(202);
    const body = await json(res);
    expect(body).toEqual({ sentTo: 'sms', expiresAt: t.clock.now() + ENROLMENT_LIMITS.linkLifetimeMs });
    const [sent] = await newLinks(before);
    expect(sent).toMatchObject({ route: 'sms', to: ANA.phone });
    expect(JSON.stringify(body)).not.toContain('/self-serve/enrol/');
    const record = (await auditTrail(t.services)).filter((r) => r.action === 'enrolment_link_sent').pop();
    expect(record).toMatchObject({
      endUserId: ANA.id,
      actor: { type: 'technician', id: 'tech-demo', name: 'Sam Rivera' },
      result: 'accepted',
      detail: { route: 'sms' },
    });
    expect(JSON.stringify(record)).not.toContain(sent!.link.split('.').pop());
    // The link works like one the end-user asked for.
    expect((await confirm(pathOf(sent!.link))).status).toBe(303);

    const toDev = await send(DEV.id);
    expect(await json(toDev)).toMatchObject({ sentTo: 'email' });
  });

  it('needs a technician with the CSRF token; knows only real end-users; and sends 3 per end-user in 15 minutes', async () => {
    expect((await send(ANA.id, null)).status).toBe(401);
    expect((await send(ANA.id, { cookie: sam.cookie, csrf: 'wrong' })).status).toBe(403);
    expect((await send(ANA.id, await t.endUser('eu-ana'))).status).toBe(401);
    const unknown = await send('eu-nobody');
    expect(unknown.status).toBe(404);
    expect((await json(unknown)).error.message).toContain('No end-user has the id eu-nobody');
    for (let i = 0; i < ENROLMENT_LIMITS.perEndUserByTechnicians; i++)
      expect((await send('eu-eva')).status).toBe(202);
    const refused = await send('eu-eva');
    expect(refused.status).toBe(429);
    expect((await json(refused)).error).toMatchObject({ code: 'rate_limited' });
  });

  it('answers 502 with the reason when the provider refuses, and audits the failure', async () => {
    t.services.outbox!.sms.failFor('+15550100003', {
      status: 'permanent_failure',
      reason: 'number unreachable (simulated)',
    });
    const res = await send('eu-chloe');
    expect(res.status).toBe(502);
    expect((await json(res)).error.message).toContain('number unreachable (simulated)');
    const record = (await auditTrail(t.services)).filter((r) => r.action === 'enrolment_link_sent').pop();
    expect(record).toMatchObject({ endUserId: 'eu-chloe', result: 'permanent_failure' });
  });
});

describe('telling the number a changed one replaced', () => {
  it('texts the old number and emails the address on file that the number changed, audited, with no code or link', async () => {
    const ben = (await t.services.directory.getById(t.services.tenantId, 'eu-ben'))!;
    const [sms, email] = outboxes();
    const before = [sms!.messages().length, email!.messages().length];
    await tellOldNumber(t.services)({ ...ben, mobilePhone: '+12015550177' }, '+15550100002');
    const texted = sms!
      .messages()
      .slice(before[0])
      .map((m) => m.message);
    const mailed = email!
      .messages()
      .slice(before[1])
      .map((m) => m.message);
    expect(texted).toEqual([
      expect.objectContaining({
        to: '+15550100002',
        context: expect.objectContaining({ kind: 'phone_changed' }),
      }),
    ]);
    expect(texted[0]!.route === 'sms' && texted[0]!.text).toContain(
      'the mobile number on your account was changed',
    );
    expect(mailed).toEqual([expect.objectContaining({ to: ben.email })]);
    expect((await auditTrail(t.services)).at(-1)).toMatchObject({
      action: 'phone_change_notice',
      endUserId: 'eu-ben',
      result: 'ok',
      detail: { routes: 'sms,email', failed: null },
    });
  });
});
