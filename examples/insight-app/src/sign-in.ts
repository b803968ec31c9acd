import { createHash, timingSafeEqual } from 'node:crypto';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context, Hono } from 'hono';
import { z } from 'zod';
import type { AppServices } from './compose.js';
import type { AppEnv } from './config.js';
import { loginPage } from './pages.js';
import type { Security, StaffRole, Technician } from './security.js';
import { DEMO_STAFF, DEMO_TECHNICIAN } from './staff.js';

// Staff sign-in. Demo mode lets the visitor be any demo staff member (a technician is signed in on first visit).
// Real mode checks a shared password: the technician password gives the technician role, the administrator password
// the admin role. Note: a production deployment puts the MSP's single sign-on here; the role then comes from the
// identity provider's groups, never from a form field.

/**
 * Where to go after sign-in: a path on this origin only. `//host/...` and `/\host` are refused, as browsers read
 * both as another origin.
 */
export const safeNext = (next: unknown) =>
  typeof next === 'string' && /^\/(?![/\\])[A-Za-z0-9/_?=&.%-]*$/.test(next) ? next : '/';

/** Failed sign-ins counted per account and per address, in a window; past either limit the form is refused. */
export const SIGN_IN_LIMITS = {
  windowMs: 15 * 60_000,
  perAccount: 10,
  perAddress: 50,
} as const;

/** The client's address as the socket gives it (`unknown` in-process); behind a proxy, the proxy's. */
function addressOf(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

const digest = (s: string) => createHash('sha256').update(s).digest();
/** Constant time whatever the lengths; an unset password matches nothing. */
const matches = (given: string, expected: string | undefined) =>
  expected !== undefined && timingSafeEqual(digest(given), digest(expected));

export function registerSignIn(app: Hono, services: AppServices, security: Security, env: AppEnv) {
  app.get('/login', (c) =>
    c.html(loginPage(services.demo, safeNext(c.req.query('next')), undefined, c.req.query('staff'))),
  );

  app.post('/login', async (c) => {
    let form: Record<string, unknown>;
    try {
      form = await c.req.parseBody();
    } catch {
      return c.html(loginPage(services.demo, '/', 'The form could not be read; send it again.'), 400);
    }
    const next = safeNext(form.next);
    if (services.demo) {
      const member = DEMO_STAFF.find((s) => s.id === form.staff) ?? DEMO_TECHNICIAN;
      await security.signInTechnician(c, member.id, member.name, member.role);
      return c.redirect(next, 303);
    }
    const name = z.string().trim().min(1).max(100).safeParse(form.name);
    const password = typeof form.password === 'string' ? form.password : '';
    // Guessing is throttled per account and per address, in the shared store, so every instance counts it.
    const { counters } = services.stores;
    const { tenantId, clock } = services;
    const window = { windowMs: SIGN_IN_LIMITS.windowMs, now: clock.now() };
    const account = `sign-in-failed:account:${(name.success ? name.data : '').toLowerCase()}`;
    const address = `sign-in-failed:address:${addressOf(c)}`;
    // The account's attempt is counted before the password is checked (one atomic increment), so guesses sent all at
    // once cannot slip past the limit together; a success clears the account's count. The address counts failures.
    const [byAccount, byAddress] = await Promise.all([
      counters.increment(tenantId, account, window),
      counters.count(tenantId, address, window),
    ]);
    if (byAccount > SIGN_IN_LIMITS.perAccount || byAddress >= SIGN_IN_LIMITS.perAddress) {
      c.header('retry-after', String(SIGN_IN_LIMITS.windowMs / 1000));
      return c.html(loginPage(false, next, 'Too many failed sign-ins; wait 15 minutes and try again.'), 429);
    }
    // Both are compared every time, so the answer's timing does not say which password a guess was close to.
    const asTechnician = matches(password, env.QDESK_TECHNICIAN_PASSWORD);
    const asAdmin = matches(password, env.QDESK_ADMIN_PASSWORD);
    if (!name.success || !(asTechnician || asAdmin)) {
      await counters.increment(tenantId, address, window);
      return c.html(loginPage(false, next, 'Wrong name or password.'), 401);
    }
    await counters.reset(tenantId, account);
    const role: StaffRole = asAdmin ? 'admin' : 'technician';
    await security.signInTechnician(c, name.data.toLowerCase().replace(/[^a-z0-9]+/g, '-'), name.data, role);
    return c.redirect(next, 303);
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
  if (services.demo) await security.signInTechnician(c, DEMO_TECHNICIAN.id, DEMO_TECHNICIAN.name);
  return null;
}
