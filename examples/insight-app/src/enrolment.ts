import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { EndUser } from '@qdesk/core';
import {
  type AccountNoticeContext,
  type AuditActor,
  accountNoticeMessages,
  type DeliveryResult,
  type OutboundMessage,
} from '@qdesk/core/ports';
import type { Context, Hono } from 'hono';
import { z } from 'zod';
import { id } from './body.js';
import type { AppServices } from './compose.js';
import type { AppEnv } from './config.js';
import type { Security, Technician } from './security.js';
import {
  enrolConfirmPage,
  enrolProblemPage,
  enrolRequestPage,
  enrolSentPage,
  enrolUnavailablePage,
  type LinkProblem,
} from './self-serve-page.js';

// The way into the self-serve app for a customer without an identity provider: a single-use sign-in link, sent to
// the mobile phone on file (or else the email on file), never to an address from the request. An end-user asks for
// one by typing their work email (the answer is the same whether or not it is on file: OWASP ASVS 6.3.8), or a
// technician sends one from the app. The link carries a signed token: tenant, end-user, expiry (15 minutes) and a
// nonce; opening it only shows a button (a mail scanner following links spends nothing), and pressing it redeems the
// token once (an atomic counter on its hash: the first press wins) and signs the end-user in on that browser.

/** How long a link works, and how often one may be asked for. */
export const ENROLMENT_LIMITS = {
  linkLifetimeMs: 15 * 60_000,
  windowMs: 15 * 60_000,
  /** Links asked for one typed address (on file or not: the same count either way) per window. */
  perTypedAddress: 3,
  /** Requests from one client address per window (any typed address). */
  perClientAddress: 10,
  /** Links technicians send one end-user per window. */
  perEndUserByTechnicians: 3,
} as const;

/** What a sign-in link's token says, under the app's signature. */
export interface EnrolmentToken {
  tenantId: string;
  endUserId: string;
  /** Epoch milliseconds after which the link is refused. */
  expiresAt: number;
  /** Random, so two links for the same end-user and moment differ (and each is spent on its own). */
  nonce: string;
}

const tokenShape = z.object({
  tenantId: z.string().min(1).max(128),
  endUserId: z.string().min(1).max(128),
  expiresAt: z.number().int().positive(),
  nonce: z.string().min(16).max(64),
});
/** Tokens are `v1.<payload>.<signature>`, base64url: short enough for one SMS line, safe in a path. */
const TOKEN_FORMAT = /^v1\.[A-Za-z0-9_-]{1,600}\.[A-Za-z0-9_-]{43}$/;

/** The key that signs sign-in links: derived from the cookie key for this purpose only, so no cookie verifies as one. */
const linkKey = (cookieKey: string) => createHmac('sha256', cookieKey).update('enrolment-link:v1').digest();

const signatureOf = (cookieKey: string, payload: string) =>
  createHmac('sha256', linkKey(cookieKey)).update(`v1.${payload}`).digest();

/** Signs a sign-in link's token. */
export function signEnrolmentToken(cookieKey: string, token: EnrolmentToken): string {
  const payload = Buffer.from(JSON.stringify(token)).toString('base64url');
  return `v1.${payload}.${signatureOf(cookieKey, payload).toString('base64url')}`;
}

/** The token's content when the app signed it (whatever its tenant or expiry), else `null`. */
export function readEnrolmentToken(cookieKey: string, token: string): EnrolmentToken | null {
  if (!TOKEN_FORMAT.test(token)) return null;
  const [, payload, signature] = token.split('.') as [string, string, string];
  const given = Buffer.from(signature, 'base64url');
  const expected = signatureOf(cookieKey, payload);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  try {
    const parsed = tokenShape.safeParse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** What one account notice came to on one route. */
export interface NoticeDelivery {
  route: 'sms' | 'email';
  result: DeliveryResult;
}

/**
 * Sends an account notice (a sign-in link, a device enrolled) through the app's notice channels to what is on file
 * for the end-user, never to an address from a request. `first`: by SMS when a mobile phone is on file and SMS is
 * configured, else by email; `all`: to each of them. A channel that throws counts as a transient failure: a notice
 * never fails the request it belongs to. Returns one entry per message sent (none when no route exists).
 */
export async function sendAccountNotice(
  services: Pick<AppServices, 'notices' | 'tenantId'>,
  user: Pick<EndUser, 'mobilePhone' | 'email'>,
  context: AccountNoticeContext,
  routes: 'first' | 'all',
): Promise<NoticeDelivery[]> {
  const { sms, email } = services.notices;
  const phone = sms && user.mobilePhone ? user.mobilePhone : null;
  const mailbox = email && (routes === 'all' || !phone) ? user.email : null;
  let messages: ReturnType<typeof accountNoticeMessages>;
  try {
    messages = accountNoticeMessages({
      tenantId: services.tenantId,
      context,
      phone,
      email: mailbox,
      noticeId: `notice-${randomUUID()}`,
    });
  } catch (error) {
    // An address on file the builder refuses (not E.164, not one plain address): nothing can go to it.
    const result = { status: 'permanent_failure', reason: (error as Error).message } as const;
    return [
      ...(phone ? [{ route: 'sms' as const, result }] : []),
      ...(mailbox ? [{ route: 'email' as const, result }] : []),
    ];
  }
  const deliver = async (route: 'sms' | 'email', message: OutboundMessage): Promise<NoticeDelivery> => {
    try {
      return { route, result: await services.notices[route]!.send(message) };
    } catch (error) {
      return { route, result: { status: 'transient_failure', reason: (error as Error).message } };
    }
  };
  return Promise.all([
    ...(messages.sms ? [deliver('sms', messages.sms)] : []),
    ...(messages.email ? [deliver('email', messages.email)] : []),
  ]);
}

/** An audit record of the app's own about an end-user's account (no session, ticket or method). Never a token. */
export function auditAccount(
  services: Pick<AppServices, 'audit' | 'clock' | 'tenantId'>,
  record: {
    action: string;
    actor: AuditActor;
    endUserId: string;
    result: string;
    detail: Record<string, string | number | boolean | null>;
  },
) {
  return services.audit.append({
    id: `au_account_${randomUUID()}`,
    at: services.clock.now(),
    tenantId: services.tenantId,
    sessionId: null,
    ticketId: null,
    ticketNumber: null,
    method: null,
    status: null,
    ...record,
  });
}

/** The end-user as the actor of what they did themselves (the verifier's own word for it is `device`). */
export const endUserActor = (user: Pick<EndUser, 'id' | 'displayName'>): AuditActor => ({
  type: 'device',
  id: user.id,
  name: user.displayName,
});

/** The client's address as the socket gives it (`unknown` in-process); behind a proxy, the proxy's. */
function clientAddressOf(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

const emailField = z.string().trim().toLowerCase().pipe(z.email().max(254));

/**
 * The sign-in link routes: the form (`/self-serve/enrol`), the link (`/self-serve/enrol/<token>`: a page with a
 * button, then the sign-in), and a technician's `POST /api/end-users/:id/enrolment-link`.
 */
export function registerEnrolment(app: Hono, services: AppServices, security: Security, env: AppEnv) {
  const { tenantId, demo } = services;
  const { counters } = services.stores;
  const now = () => services.clock.now();
  const windowAt = (at: number, windowMs: number = ENROLMENT_LIMITS.windowMs) => ({ windowMs, now: at });

  /**
   * Where links point. An outsider chooses the request's Host, so the form (anyone may use it) builds links from
   * PUBLIC_URL only, except in demo mode; a technician's request (signed in, CSRF-checked) may use its own origin.
   */
  const baseFor = (c: Context, who: 'anyone' | 'technician') =>
    env.PUBLIC_URL ?? (demo || who === 'technician' ? new URL(c.req.url).origin : null);

  function newLink(base: string, endUserId: string, at: number) {
    const expiresAt = at + ENROLMENT_LIMITS.linkLifetimeMs;
    const token = signEnrolmentToken(services.cookieKey, {
      tenantId,
      endUserId,
      expiresAt,
      nonce: randomBytes(16).toString('base64url'),
    });
    return { link: new URL(`/self-serve/enrol/${token}`, base).href, expiresAt };
  }

  /** Sends a new link to the end-user (SMS first, else email) and audits it with `actor`. */
  async function sendLink(user: EndUser, actor: AuditActor, base: string, at: number) {
    const { link, expiresAt } = newLink(base, user.id, at);
    const context: AccountNoticeContext = {
      kind: 'enrolment_link',
      mspName: services.mspName,
      link,
      deviceLabel: null,
      expiresInMinutes: Math.ceil(ENROLMENT_LIMITS.linkLifetimeMs / 60_000),
      expiresAt,
      at,
    };
    const [delivery] = await sendAccountNotice(services, user, context, 'first');
    await auditAccount(services, {
      action: 'enrolment_link_sent',
      actor,
      endUserId: user.id,
      result: delivery?.result.status ?? 'no_route',
      detail: {
        route: delivery?.route ?? null,
        expiresAt,
        ...(delivery && delivery.result.status !== 'accepted' ? { reason: delivery.result.reason } : {}),
      },
    });
    return { delivery: delivery ?? null, expiresAt };
  }

  app.get('/self-serve/enrol', (c) =>
    baseFor(c, 'anyone') === null ? c.html(enrolUnavailablePage(), 503) : c.html(enrolRequestPage(demo)),
  );

  app.post('/self-serve/enrol', async (c) => {
    const base = baseFor(c, 'anyone');
    if (base === null) return c.html(enrolUnavailablePage(), 503);
    let form: Record<string, unknown>;
    try {
      form = await c.req.parseBody();
    } catch {
      return c.html(enrolRequestPage(demo, { message: 'The form could not be read; send it again.' }), 400);
    }
    const typed = typeof form.email === 'string' ? form.email.slice(0, 300) : '';
    const email = emailField.safeParse(typed);
    if (!email.success) {
      const message = 'Type your work email address, such as name@company.example.';
      return c.html(enrolRequestPage(demo, { message, email: typed }), 400);
    }
    const at = now();
    // Both counts happen for every address, on file or not, so the answer (and its timing) cannot tell them apart.
    const byClient = await counters.increment(tenantId, `enrol:client:${clientAddressOf(c)}`, windowAt(at));
    if (byClient > ENROLMENT_LIMITS.perClientAddress) {
      c.header('retry-after', String(ENROLMENT_LIMITS.windowMs / 1000));
      const message =
        'Too many sign-in links were asked for from this network; wait 15 minutes and try again.';
      return c.html(enrolRequestPage(demo, { message, email: typed }), 429);
    }
    const byAddress = await counters.increment(tenantId, `enrol:email:${sha256(email.data)}`, windowAt(at));
    if (byAddress > ENROLMENT_LIMITS.perTypedAddress) {
      c.header('retry-after', String(ENROLMENT_LIMITS.windowMs / 1000));
      const message =
        'A link was asked for this address several times already; wait 15 minutes and try again.';
      return c.html(enrolRequestPage(demo, { message, email: typed }), 429);
    }
    const user = await services.directory.findByEmail(tenantId, email.data);
    // The link goes to what is on file, never to the typed address. It is made and sent after the answer has left (on
    // the next turn of the event loop, for an address on file or not), so neither the signing nor a slow provider
    // shows in the answer's timing. The audit record says whether it went; a failure is logged without the link.
    setImmediate(() => {
      if (!user) return;
      sendLink(user, { type: 'system', id: 'qdesk', name: 'sign-in link form' }, base, at).catch(
        (error: unknown) => console.error('Sending a sign-in link failed:', (error as Error).message),
      );
    });
    return c.html(enrolSentPage(demo));
  });

  /** The token's end-user, or the problem that stops its use. `spend`: redeem it (the first caller only wins). */
  async function redeem(
    token: string,
    spend: boolean,
  ): Promise<{ user: EndUser } | { problem: LinkProblem }> {
    const claims = readEnrolmentToken(services.cookieKey, token);
    if (!claims) return { problem: 'damaged' };
    if (claims.tenantId !== tenantId) return { problem: 'other_organisation' };
    const at = now();
    if (at >= claims.expiresAt) return { problem: 'expired' };
    // A hit outlives the token by the window's length (a hit at t counts until t + lifetime; the token is dead by then).
    const key = `enrol:used:${sha256(token)}`;
    const window = windowAt(at, ENROLMENT_LIMITS.linkLifetimeMs);
    const uses = spend
      ? await counters.increment(tenantId, key, window)
      : await counters.count(tenantId, key, window);
    if (uses > (spend ? 1 : 0)) return { problem: 'used' };
    const user = await services.directory.getById(tenantId, claims.endUserId);
    return user ? { user } : { problem: 'no_account' };
  }

  const statusOf = (problem: LinkProblem) => (problem === 'expired' || problem === 'used' ? 410 : 400);
  const tokenParam = (c: Context) => (c.req.param('token') ?? '').slice(0, 1000);

  app.get('/self-serve/enrol/:token', async (c) => {
    c.header('cache-control', 'no-store');
    const token = tokenParam(c);
    const found = await redeem(token, false);
    if ('problem' in found) return c.html(enrolProblemPage(found.problem, demo), statusOf(found.problem));
    return c.html(enrolConfirmPage(token, services.mspName, demo));
  });

  app.post('/self-serve/enrol/:token', async (c) => {
    c.header('cache-control', 'no-store');
    const found = await redeem(tokenParam(c), true);
    if ('problem' in found) return c.html(enrolProblemPage(found.problem, demo), statusOf(found.problem));
    const { user } = found;
    await security.signInEndUser(c, user.id);
    await auditAccount(services, {
      action: 'end_user_signed_in',
      actor: endUserActor(user),
      endUserId: user.id,
      result: 'ok',
      detail: { method: 'enrolment_link' },
    });
    return c.redirect('/self-serve', 303);
  });

  app.post(
    '/api/end-users/:id/enrolment-link',
    security.requireTechnician(),
    async (c: Context<{ Variables: { technician: Technician } }>) => {
      const tech = c.get('technician');
      const endUserId = id.parse(c.req.param('id'));
      const user = await services.directory.getById(tenantId, endUserId);
      if (!user) {
        const message = `No end-user has the id ${endUserId}; check the id, or sync the directory.`;
        return c.json({ error: { code: 'end_user_not_found', message } }, 404);
      }
      if (!(user.mobilePhone && services.notices.sms) && !services.notices.email) {
        const missing = user.mobilePhone
          ? 'no SMS or email channel is configured'
          : 'no mobile phone is on file and no email channel is configured';
        const message = `${user.displayName} cannot be sent a link: ${missing}. Set up SMS (TWILIO_*) or email (SMTP_* or QDESK_GRAPH_*) and try again.`;
        return c.json({ error: { code: 'no_delivery_route', message } }, 422);
      }
      const at = now();
      const sent = await counters.increment(tenantId, `enrol:technician:${user.id}`, windowAt(at));
      if (sent > ENROLMENT_LIMITS.perEndUserByTechnicians) {
        c.header('retry-after', String(ENROLMENT_LIMITS.windowMs / 1000));
        const message = `${user.displayName} was sent ${ENROLMENT_LIMITS.perEndUserByTechnicians} sign-in links in the last 15 minutes; ask them to use the newest one, or wait before sending another.`;
        return c.json({ error: { code: 'rate_limited', message } }, 429);
      }
      const actor: AuditActor = { type: 'technician', id: tech.id, name: tech.name };
      const { delivery, expiresAt } = await sendLink(user, actor, baseFor(c, 'technician')!, at);
      // A route exists (checked above), so there is one delivery.
      const { route, result } = delivery!;
      if (result.status !== 'accepted') {
        const message = `The ${route === 'sms' ? 'SMS' : 'email'} provider did not take the link (${result.reason}); try again in a minute, or check the channel's settings.`;
        return c.json({ error: { code: 'delivery_failed', message } }, 502);
      }
      // Where it went, never the link: a technician who saw it could sign in as the end-user.
      return c.json({ sentTo: route, expiresAt }, 202);
    },
  );
}

/**
 * Tells an end-user whose mobile number a directory sync saw change: by SMS to the number it replaced and by email,
 * so they can say it was not them (NIST SP 800-63B rev 4, 3.1.3.3 and 4.1.2.1). Audited, a failure included; a
 * failure never stops the sync.
 */
export function tellOldNumber(
  services: Pick<AppServices, 'notices' | 'tenantId' | 'mspName' | 'audit' | 'clock'>,
): (user: EndUser, previous: string) => Promise<void> {
  return async (user, previous) => {
    const at = services.clock.now();
    const context: AccountNoticeContext = {
      kind: 'phone_changed',
      mspName: services.mspName,
      link: null,
      deviceLabel: null,
      expiresInMinutes: null,
      expiresAt: at + 3600_000,
      at,
    };
    const deliveries = await sendAccountNotice(
      services,
      { mobilePhone: previous, email: user.email },
      context,
      'all',
    );
    const failed = deliveries.filter((d) => d.result.status !== 'accepted').map((d) => d.route);
    await auditAccount(services, {
      action: 'phone_change_notice',
      actor: { type: 'system', id: 'qdesk' },
      endUserId: user.id,
      result: deliveries.length === 0 ? 'no_route' : failed.length ? 'error' : 'ok',
      detail: { routes: deliveries.map((d) => d.route).join(',') || null, failed: failed.join(',') || null },
    });
  };
}
