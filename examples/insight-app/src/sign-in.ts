import { createHash } from 'node:crypto';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { AuditRecord } from '@qdesk/core';
import type { Context, Hono } from 'hono';
import { html } from 'hono/html';
import { z } from 'zod';
import type { AppServices } from './compose.js';
import type { AppEnv } from './config.js';
import { layout } from './layout.js';
import {
  createFlowCookie,
  FLOW_LIFETIME_MS,
  type OidcIdentity,
  type PendingFlow,
  personId,
  type RelyingParty,
  SignInError,
  type SignInFailure,
} from './oidc.js';
import { loginPage } from './pages.js';
import type { Security, StaffIdentity, StaffRole, Technician } from './security.js';
import { DEMO_STAFF, DEMO_TECHNICIAN } from './staff.js';

// Staff sign-in. Real mode: OpenID Connect against the MSP's identity provider (authorization code + PKCE); the
// technician's id is the issuer and subject, the role comes from a claim the MSP controls, never from a form field.
// Demo mode also lets the visitor be any demo staff member (a technician is signed in on first visit).

/**
 * Where to go after sign-in: a path on this origin only. `//host/...` and `/\host` are refused, as browsers read
 * both as another origin.
 */
export const safeNext = (next: unknown) =>
  typeof next === 'string' && /^\/(?![/\\])[A-Za-z0-9/_?=&.%-]*$/.test(next) ? next : '/';

/**
 * Failed sign-ins (an answer from the identity provider that was refused, replayed or expired) counted per address
 * in a window; past the limit, sign-in from that address is refused until the window passes. This app holds no
 * password: the identity provider checks and throttles credentials per account, and enrolment links are limited per
 * end-user (enrolment.ts).
 */
export const SIGN_IN_LIMITS = {
  windowMs: 15 * 60_000,
  perAddress: 50,
} as const;

/** The client's address as the socket gives it (`unknown` in-process); behind a proxy, the proxy's. */
export function addressOf(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** The secret a framed Insight makes for the pop-up's sign-in (32 random bytes, base64url). */
export const handoffSecret = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'must be 32 random bytes in base64url');

/** What the sign-in routes share: the flow cookie, the identity providers, and failure counting. */
export interface SignInKit {
  flows: ReturnType<typeof createFlowCookie>;
  /** The MSP's identity provider for technicians, or `null` (demo mode without one). */
  staff: RelyingParty | null;
  /** Each customer's identity provider for its end-users, by customer id. */
  endUsers: ReadonlyMap<string, RelyingParty>;
  /** `<PUBLIC_URL><path>`: where the identity provider sent the browser back, as registered there. */
  publicUrl(c: Context): URL;
}

export function createSignInKit(
  services: AppServices,
  env: AppEnv,
  providers: Pick<SignInKit, 'staff' | 'endUsers'>,
): SignInKit {
  const secure = env.PUBLIC_URL?.startsWith('https://') ?? false;
  return {
    flows: createFlowCookie(services.cookieKey, secure),
    ...providers,
    publicUrl(c) {
      const here = new URL(c.req.url);
      return env.PUBLIC_URL ? new URL(`${here.pathname}${here.search}`, env.PUBLIC_URL) : here;
    },
  };
}

const failureText: Record<SignInFailure, string> = {
  denied: 'Sign-in was cancelled at your identity provider. Start again to retry.',
  expired: 'This sign-in expired or was started in another browser. Start again.',
  replayed: 'This sign-in answer was used already. Start again.',
  rejected: 'Your identity provider answered with a sign-in this app cannot accept. Start again.',
  unreachable: 'Your identity provider could not be reached. Try again in a minute.',
};

/** The outcome page of a sign-in that did not complete: why, and a way to start again. */
export function signInProblemPage(
  failure: SignInFailure | 'throttled' | 'no_role' | 'no_account',
  detail: string,
) {
  const title = failure === 'throttled' ? 'Too many failed sign-ins' : 'Sign-in did not complete';
  return layout(
    'Sign in',
    html`<h1>${title}</h1>
      <p class="error" role="alert" data-failure="${failure}">${detail}</p>`,
  );
}

/**
 * Spends the flow the browser brought back: the encrypted cookie must hold it, it must be for this kind of sign-in,
 * its state is spent once across every instance (a replayed callback URL is refused), and failures count against the
 * address. Returns the checked identity, or the page to answer with.
 */
export async function finishFlow(
  c: Context,
  services: AppServices,
  kit: SignInKit,
  kind: PendingFlow['audience']['kind'],
): Promise<{ flow: PendingFlow; identity: OidcIdentity } | Response> {
  const { counters } = services.stores;
  const { tenantId, clock } = services;
  const window = { windowMs: SIGN_IN_LIMITS.windowMs, now: clock.now() };
  const address = `sign-in-failed:address:${addressOf(c)}`;
  if ((await counters.count(tenantId, address, window)) >= SIGN_IN_LIMITS.perAddress) {
    c.header('retry-after', String(SIGN_IN_LIMITS.windowMs / 1000));
    return c.html(
      signInProblemPage('throttled', 'Too many failed sign-ins; wait 15 minutes and try again.'),
      429,
    );
  }
  const fail = async (error: SignInError) => {
    // An identity provider that is down is nobody's failed attempt: it counts against no address.
    if (error.failure !== 'unreachable') await counters.increment(tenantId, address, window);
    await audit(services, {
      action: 'sign_in_failed',
      actor: { type: 'system', id: 'qdesk' },
      result: 'error',
      detail: { kind, failure: error.failure, address: addressOf(c) },
    });
    return c.html(
      signInProblemPage(error.failure, error.message),
      error.failure === 'unreachable' ? 502 : 400,
    );
  };
  const flow = kit.flows.take(c, clock.now());
  if (!flow || flow.audience.kind !== kind) return fail(new SignInError('expired', failureText.expired));
  const state = createHash('sha256').update(flow.state).digest('base64url');
  const uses = await counters.increment(tenantId, `oidc-state:${state}`, {
    windowMs: FLOW_LIFETIME_MS,
    now: clock.now(),
  });
  if (uses > 1) return fail(new SignInError('replayed', failureText.replayed));
  const party =
    flow.audience.kind === 'technician' ? kit.staff : (kit.endUsers.get(flow.audience.customerId) ?? null);
  if (!party) return fail(new SignInError('expired', failureText.expired));
  try {
    return { flow, identity: await party.complete(kit.publicUrl(c), flow) };
  } catch (error) {
    if (error instanceof SignInError) return fail(error);
    throw error;
  }
}

/** Starts a flow: the secrets into the encrypted cookie, the browser to the identity provider. */
export async function beginFlow(
  c: Context,
  services: AppServices,
  kit: SignInKit,
  party: RelyingParty,
  rest: Pick<PendingFlow, 'audience' | 'next' | 'handoff'>,
): Promise<Response> {
  try {
    const { url, flow } = await party.begin();
    kit.flows.write(c, { ...flow, ...rest, expiresAt: services.clock.now() + FLOW_LIFETIME_MS });
    return c.redirect(url.href, 303);
  } catch (error) {
    if (error instanceof SignInError) return c.html(signInProblemPage(error.failure, error.message), 502);
    throw error;
  }
}

/** Appends one of the app's own audit records (sign-ins), with the fields a session record would have empty. */
export async function audit(
  services: AppServices,
  record: Pick<AuditRecord, 'action' | 'actor' | 'result'> &
    Partial<Pick<AuditRecord, 'endUserId' | 'detail'>>,
) {
  await services.audit.append({
    id: `au_signin_${crypto.randomUUID()}`,
    at: services.clock.now(),
    tenantId: services.tenantId,
    sessionId: null,
    ticketId: null,
    ticketNumber: null,
    endUserId: null,
    method: null,
    status: null,
    ...record,
  });
}

/** The values of the roles claim: a list, or one string of values separated by spaces or commas. */
export function claimValues(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  if (typeof value === 'string') return value.split(/[\s,]+/).filter(Boolean);
  return [];
}

/** The role the identity provider's claim gives: admin wins over technician; `null` for neither. */
export function roleFrom(identity: OidcIdentity, env: AppEnv): StaffRole | null {
  const values = claimValues(identity.claims[env.QDESK_OIDC_ROLES_CLAIM]);
  if (values.includes(env.QDESK_OIDC_ADMIN_ROLE)) return 'admin';
  if (values.includes(env.QDESK_OIDC_TECHNICIAN_ROLE)) return 'technician';
  return null;
}

/** The pop-up's last page: the framed Insight, polling, picks the sign-in up; this window can go. */
function handoffDonePage(name: string) {
  return layout(
    'Signed in',
    html`<h1>Signed in</h1>
      <p id="handoff-done">You are signed in as ${name}. Close this window to return to the ticket.</p>`,
    { script: 'sign-in-done.js' },
  );
}

export function registerSignIn(
  app: Hono,
  services: AppServices,
  security: Security,
  env: AppEnv,
  kit: SignInKit,
) {
  const provider = kit.staff ? env.QDESK_OIDC_NAME : null;
  app.get('/login', (c) =>
    c.html(
      loginPage({
        demo: services.demo,
        next: safeNext(c.req.query('next')),
        provider,
        staffId: c.req.query('staff'),
      }),
    ),
  );

  // Demo mode: pick a demo member of staff. Real mode has no form to post: the identity provider signs people in.
  app.post('/login', async (c) => {
    if (!services.demo) {
      return c.html(
        loginPage({ demo: false, next: '/', provider, error: 'Sign in with your identity provider.' }),
        404,
      );
    }
    let form: Record<string, unknown>;
    try {
      form = await c.req.parseBody();
    } catch {
      return c.html(
        loginPage({ demo: true, next: '/', provider, error: 'The form could not be read; send it again.' }),
        400,
      );
    }
    const member = DEMO_STAFF.find((s) => s.id === form.staff) ?? DEMO_TECHNICIAN;
    await security.signInTechnician(c, member);
    return c.redirect(safeNext(form.next), 303);
  });

  app.get('/auth/start', async (c) => {
    if (!kit.staff) return c.html(signInProblemPage('expired', 'No identity provider is configured.'), 404);
    const handoff = c.req.query('handoff');
    const parsed = handoff === undefined ? null : handoffSecret.safeParse(handoff);
    if (parsed && !parsed.success) {
      return c.html(
        signInProblemPage('expired', 'This sign-in link is damaged; start again from the ticket.'),
        400,
      );
    }
    return beginFlow(c, services, kit, kit.staff, {
      audience: { kind: 'technician' },
      next: safeNext(c.req.query('next')),
      handoff: parsed?.data ?? null,
    });
  });

  app.get('/auth/callback', async (c) => {
    const finished = await finishFlow(c, services, kit, 'technician');
    if (finished instanceof Response) return finished;
    const { flow, identity } = finished;
    const role = roleFrom(identity, env);
    const who: StaffIdentity = {
      id: personId(identity.issuer, identity.subject),
      name: identity.name,
      role: role ?? 'technician',
      email: identity.email,
    };
    const actor = { type: 'technician' as const, id: who.id, name: who.name };
    if (!role) {
      await audit(services, {
        action: 'sign_in_refused',
        actor,
        result: 'error',
        detail: { reason: 'no_role', claim: env.QDESK_OIDC_ROLES_CLAIM },
      });
      return c.html(
        signInProblemPage(
          'no_role',
          `Your account has no QDesk role. Ask your administrator to give you "${env.QDESK_OIDC_TECHNICIAN_ROLE}" ` +
            `(or "${env.QDESK_OIDC_ADMIN_ROLE}") in the "${env.QDESK_OIDC_ROLES_CLAIM}" claim, then sign in again.`,
        ),
        403,
      );
    }
    await audit(services, {
      action: 'sign_in',
      actor,
      result: 'ok',
      detail: { role, method: 'oidc', popup: flow.handoff !== null },
    });
    if (flow.handoff) {
      await security.storeHandoff(who, flow.handoff);
      return c.html(handoffDonePage(who.name));
    }
    await security.signInTechnician(c, who);
    return c.redirect(flow.next, 303);
  });

  // The framed Insight asks whether its pop-up's sign-in arrived (202 not yet; 200 and its cookie once it has).
  app.post('/auth/handoff', async (c) => {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      body = null;
    }
    const secret = handoffSecret.safeParse((body as { secret?: unknown } | null)?.secret);
    if (!secret.success) {
      return c.json(
        { error: { code: 'input_invalid', message: 'Send {"secret": "<the frame\'s secret>"}.' } },
        400,
      );
    }
    return (await security.claimHandoff(c, secret.data))
      ? c.json({ signedIn: true })
      : c.json({ signedIn: false }, 202);
  });
}

/**
 * The technician behind a page request. Demo mode signs a first-time visitor in as the demo technician and asks
 * for a reload (`null`); real mode answers `null` and the caller redirects to the sign-in page.
 */
export async function technicianForPage(
  c: Context,
  services: AppServices,
  security: Security,
): Promise<Technician | null> {
  const tech = await security.technician(c);
  if (tech) return tech;
  if (services.demo) await security.signInTechnician(c, DEMO_TECHNICIAN);
  return null;
}
