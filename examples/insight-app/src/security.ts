import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { SignInKind, SignInSession, SignInSessionStore } from '@qdesk/store-postgres';
import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getSignedCookie, setSignedCookie } from 'hono/cookie';
import { HTTPException } from 'hono/http-exception';

/** What a signed-in member of the MSP's staff may do: run verifications, or also change policy and unlock. */
export type StaffRole = 'technician' | 'admin';

export interface Technician {
  id: string;
  name: string;
  /** The sign-in's id (the SHA-256 of its cookie token); the CSRF token is derived from it. */
  sid: string;
  /** Set at sign-in from what the credential proved (the admin password, or the demo admin), never from a request field. */
  role: StaffRole;
  /** The email the identity provider gave (a PSA note is written as the person it finds by it), or `null`. */
  email: string | null;
}

/** Who a technician sign-in is for: what the identity provider (or the demo picker) proved. */
export interface StaffIdentity {
  id: string;
  name: string;
  role: StaffRole;
  email: string | null;
}

/** How long a sign-in made in the Insight's pop-up waits for its frame to claim it. */
export const HANDOFF_WAIT_MS = 5 * 60_000;

const TECH = 'qd_tech';
const END_USER = 'qd_eu';

/** How long a sign-in lasts: idle (no request) and absolute, per kind. A shift for staff; weeks for a phone. */
const LIFETIME = {
  technician: { idleMs: 60 * 60_000, absoluteMs: 12 * 3600_000 },
  end_user: { idleMs: 7 * 24 * 3600_000, absoluteMs: 30 * 24 * 3600_000 },
} as const;
/** A sign-in's idle deadline moves at most this often (each move is a write). */
const TOUCH_EVERY_MS = 5 * 60_000;

const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');

export interface SecurityOptions {
  secureCookies: boolean;
  /** Server-side sign-in sessions: the cookie holds a random token, the store its SHA-256. */
  signIns: SignInSessionStore;
  tenantId: string;
  now: () => number;
}

export function createSecurity(cookieKey: string, options: SecurityOptions) {
  const { signIns, tenantId, now } = options;
  // Over https the cookies are `__Host-` (this host only, path /, Secure) and Partitioned: inside the Autotask
  // Insight iframe the app is a third party, and browsers that block third-party cookies keep a partitioned one.
  const prefix = options.secureCookies ? ('host' as const) : undefined;
  const cookie = (kind: SignInKind) => ({
    httpOnly: true,
    path: '/',
    sameSite: options.secureCookies ? ('None' as const) : ('Lax' as const),
    secure: options.secureCookies,
    maxAge: LIFETIME[kind].absoluteMs / 1000,
    ...(prefix ? { prefix, partitioned: true } : {}),
  });
  const csrfFor = (tech: Technician) =>
    createHmac('sha256', cookieKey).update(`csrf:${tech.sid}`).digest('base64url');
  // Each cookie kind is signed with a key of its own (and its value tagged with its kind): one kind's cookie never
  // verifies as the other's.
  const keyOf = (kind: SignInKind) =>
    createHmac('sha256', cookieKey).update(`cookie:${kind}`).digest('base64url');
  const keys = { technician: keyOf('technician'), end_user: keyOf('end_user') };

  /** The live sign-in behind a cookie of that kind (the token is tagged with its kind before it is signed). */
  async function signInOf(c: Context, kind: SignInKind): Promise<SignInSession | null> {
    const raw = await getSignedCookie(c, keys[kind], kind === 'technician' ? TECH : END_USER, prefix);
    const tag = `${kind}.`;
    if (typeof raw !== 'string' || !raw.startsWith(tag)) return null;
    const at = now();
    const session = await signIns.get(hashOf(raw.slice(tag.length)), at);
    if (!session || session.kind !== kind || session.tenantId !== tenantId) return null;
    if (session.idleExpiresAt - at < LIFETIME[kind].idleMs - TOUCH_EVERY_MS) {
      await signIns.touch(session.id, at, Math.min(at + LIFETIME[kind].idleMs, session.absoluteExpiresAt));
    }
    return session;
  }

  type Who = { subject: string; name: string | null; role: StaffRole | null; email: string | null };
  /** Stores a sign-in for `token`; a first idle period other than the kind's own is for a hand-off waiting. */
  async function store(token: string, kind: SignInKind, who: Who, firstIdleMs = LIFETIME[kind].idleMs) {
    const at = now();
    await signIns.create({
      id: hashOf(token),
      tenantId,
      kind,
      ...who,
      createdAt: at,
      lastSeenAt: at,
      idleExpiresAt: at + firstIdleMs,
      absoluteExpiresAt: at + LIFETIME[kind].absoluteMs,
    });
  }
  const setCookieFor = (c: Context, kind: SignInKind, token: string) =>
    setSignedCookie(c, kind === 'technician' ? TECH : END_USER, `${kind}.${token}`, keys[kind], cookie(kind));

  async function signIn(c: Context, kind: SignInKind, who: Who) {
    const token = randomBytes(32).toString('base64url');
    await store(token, kind, who);
    await setCookieFor(c, kind, token);
  }

  // The framed Insight's sign-in: the pop-up cannot set the frame's (partitioned) cookie, so the frame makes a secret,
  // the pop-up's sign-in is stored under a token derived from it, and the frame claims it with the secret, once.
  const handoffToken = (secret: string) =>
    createHmac('sha256', cookieKey).update(`handoff:${secret}`).digest('base64url');

  async function signOutOf(c: Context, kind: SignInKind) {
    const session = await signInOf(c, kind);
    if (session) await signIns.revoke(session.id);
    deleteCookie(c, kind === 'technician' ? TECH : END_USER, cookie(kind));
  }

  async function technician(c: Context): Promise<Technician | null> {
    const session = await signInOf(c, 'technician');
    if (!session) return null;
    return {
      id: session.subject,
      name: session.name ?? session.subject,
      sid: session.id,
      role: session.role === 'admin' ? 'admin' : 'technician',
      email: session.email ?? null,
    };
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
    signInTechnician: (c: Context, who: StaffIdentity) =>
      signIn(c, 'technician', { subject: who.id, name: who.name, role: who.role, email: who.email }),
    /**
     * Stores a technician's sign-in for the framed Insight to claim with `secret` (the pop-up's half of the
     * hand-off); it lapses unless claimed within {@link HANDOFF_WAIT_MS}.
     */
    storeHandoff: (who: StaffIdentity, secret: string) =>
      store(
        handoffToken(secret),
        'technician',
        { subject: who.id, name: who.name, role: who.role, email: who.email },
        HANDOFF_WAIT_MS,
      ),
    /**
     * The frame's half: when the pop-up's sign-in for `secret` is stored, sets this browser's technician cookie to
     * it and gives it a full idle period. `false` while it is not there (not yet, lapsed, or revoked).
     */
    async claimHandoff(c: Context, secret: string): Promise<boolean> {
      const token = handoffToken(secret);
      const id = hashOf(token);
      const at = now();
      const session = await signIns.get(id, at);
      if (session?.kind !== 'technician' || session.tenantId !== tenantId) return false;
      await signIns.touch(id, at, at + LIFETIME.technician.idleMs);
      await setCookieFor(c, 'technician', token);
      return true;
    },
    async endUser(c: Context): Promise<string | null> {
      return (await signInOf(c, 'end_user'))?.subject ?? null;
    },
    signInEndUser: (c: Context, endUserId: string) =>
      signIn(c, 'end_user', { subject: endUserId, name: null, role: null, email: null }),
    /** Ends both sign-ins on the server (a copied cookie stops working too) and clears the cookies. */
    async signOut(c: Context) {
      await signOutOf(c, 'technician');
      await signOutOf(c, 'end_user');
    },
    /**
     * Signs the end-user out of the self-serve app only: a technician testing the demo in the same browser stays
     * signed in.
     */
    signOutEndUser: (c: Context) => signOutOf(c, 'end_user'),
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

/**
 * Who may frame the Insight page by default: Autotask's hosts (QDESK_FRAME_ANCESTORS replaces them). Every other
 * page may be framed by nobody.
 */
export const AUTOTASK_FRAME_ANCESTORS = 'https://*.autotask.net https://*.autotask.com';

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
