import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getSignedCookie, setSignedCookie } from 'hono/cookie';
import { HTTPException } from 'hono/http-exception';

/** What a signed-in member of the MSP's staff may do: run verifications, or also change policy and unlock. */
export type StaffRole = 'technician' | 'admin';

export interface Technician {
  id: string;
  name: string;
  /** Random per sign-in; the CSRF token is derived from it. */
  sid: string;
  /**
   * Set at sign-in from what the credential proved (the admin password, or the demo admin), never from a request
   * field; a cookie from before roles existed reads as `technician`.
   */
  role: StaffRole;
}

const TECH = 'qd_tech';
const END_USER = 'qd_eu';

export function createSecurity(cookieKey: string, options: { secureCookies: boolean }) {
  const cookie = {
    httpOnly: true,
    path: '/',
    // Inside the Autotask Insight iframe the app is a third party: cookies must be SameSite=None; Secure there.
    sameSite: options.secureCookies ? ('None' as const) : ('Lax' as const),
    secure: options.secureCookies,
    maxAge: 8 * 3600,
  };
  const csrfFor = (tech: Technician) =>
    createHmac('sha256', cookieKey).update(`csrf:${tech.sid}`).digest('base64url');

  async function technician(c: Context): Promise<Technician | null> {
    const raw = await getSignedCookie(c, cookieKey, TECH);
    if (!raw) return null;
    try {
      const parsed = JSON.parse(raw) as Partial<Technician>;
      if (typeof parsed.id !== 'string' || typeof parsed.name !== 'string' || typeof parsed.sid !== 'string')
        return null;
      return {
        id: parsed.id,
        name: parsed.name,
        sid: parsed.sid,
        role: parsed.role === 'admin' ? 'admin' : 'technician',
      };
    } catch {
      return null;
    }
  }

  async function checkedTechnician(c: Context): Promise<Technician> {
    const tech = await technician(c);
    if (!tech) throw new HTTPException(401, { message: 'Sign in as a technician first.' });
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') {
      const given = Buffer.from(c.req.header('x-csrf-token') ?? '');
      const expected = Buffer.from(csrfFor(tech));
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        throw new HTTPException(403, { message: 'Missing or wrong CSRF token; reload the page.' });
      }
    }
    return tech;
  }

  return {
    csrfFor,
    technician,
    async signInTechnician(c: Context, id: string, name: string, role: StaffRole = 'technician') {
      await setSignedCookie(
        c,
        TECH,
        JSON.stringify({ id, name, role, sid: randomBytes(16).toString('base64url') }),
        cookieKey,
        cookie,
      );
    },
    async endUser(c: Context): Promise<string | null> {
      return (await getSignedCookie(c, cookieKey, END_USER)) || null;
    },
    async signInEndUser(c: Context, endUserId: string) {
      await setSignedCookie(c, END_USER, endUserId, cookieKey, cookie);
    },
    signOut(c: Context) {
      deleteCookie(c, TECH, { path: '/' });
      deleteCookie(c, END_USER, { path: '/' });
    },
    /**
     * Signs the end-user out of the self-serve app only: a technician testing the demo in the same browser stays
     * signed in.
     */
    signOutEndUser(c: Context) {
      deleteCookie(c, END_USER, { path: '/' });
    },
    /** API routes for technicians: signed in, and for state changes a CSRF token bound to the sign-in. */
    requireTechnician:
      (): MiddlewareHandler<{ Variables: { technician: Technician } }> => async (c, next) => {
        c.set('technician', await checkedTechnician(c));
        await next();
      },
    /**
     * API routes for administrators (policy, unlocks): the technician checks, then the admin role. A technician gets
     * 403 `forbidden`, the code the verifier itself uses for an administrator's task.
     */
    requireAdmin: (): MiddlewareHandler<{ Variables: { technician: Technician } }> => async (c, next) => {
      const tech = await checkedTechnician(c);
      if (tech.role !== 'admin') {
        return c.json(
          {
            error: {
              code: 'forbidden',
              message: 'Only an administrator may do this; sign in with an administrator account.',
            },
          },
          403,
        );
      }
      c.set('technician', tech);
      await next();
    },
  };
}

export type Security = ReturnType<typeof createSecurity>;

/** Framing: the Insight page may be framed by Autotask only; every other page by nobody. */
export const AUTOTASK_FRAME_ANCESTORS = "'self' https://*.autotask.net https://*.autotask.com";

export function securityHeaders(frameAncestors: string): Record<string, string> {
  return {
    'content-security-policy': [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self'",
      "img-src 'self' data:",
      "connect-src 'self'",
      "base-uri 'none'",
      "form-action 'self'",
      `frame-ancestors ${frameAncestors}`,
    ].join('; '),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
  };
}
