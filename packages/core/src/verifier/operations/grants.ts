import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { ForbiddenError, PreconditionError } from '../../errors.js';
import type { VerificationSession } from '../../machine/session.js';
import { generateId } from '../codes.js';
import { callPort, type Runtime, record, systemActor } from '../runtime.js';

// The gate before any reset: a tool that resets a password or an MFA device asks for a grant, which QDesk issues
// only for an end-user approved on that ticket within the window, and verifies (once) before it acts.

const ISSUER = 'qdesk';
const AUDIENCE = 'qdesk-reset-tool';
const MINUTE = 60_000;
/** How long a grant is valid by default, and at most. */
const GRANT_TTL_MS = 5 * MINUTE;
const MAX_GRANT_TTL_MS = 15 * MINUTE;
/**
 * How long "a grant was issued for this approval" is remembered: past the longest `within` (60 min) the approval
 * cannot earn a grant anyway, so a longer window changes nothing and lets a counter store drop the key.
 */
const ISSUED_WINDOW_MS = 2 * 60 * MINUTE;

/** What {@link Verifier.requireVerified} takes. @public */
export interface GrantRequest {
  /** The MSP. */
  tenantId: string;
  /** The end-user the reset is for. */
  endUserId: string;
  /** The ticket the reset is done on. */
  ticketId: string;
  /** What the tool will do (`reset_password`, `reset_mfa`...): a grant allows exactly this. */
  action: string;
  /** How recent the approval must be, in ms (default 15 min, at most 60 min). */
  within?: number;
  /** When given, only a verification run by this technician counts. */
  technicianId?: string;
  /** How long the grant is valid, in ms (default 5 min, at most 15 min). */
  ttlMs?: number;
}

/** What a verified grant allows: one action, for one end-user of one customer, on one ticket. @public */
export interface ResetGrant {
  /** The grant's own id (single use). */
  grantId: string;
  /** The MSP. */
  tenantId: string;
  /** The customer whose policy the verification ran under (the ticket's, when its company is matched), or `null`. */
  customerId: string | null;
  /** The end-user verified. */
  endUserId: string;
  /** The ticket. */
  ticketId: string;
  /** The technician who ran the verification. */
  technicianId: string;
  /** The verification that approved the end-user. */
  sessionId: string;
  /** The action allowed. */
  action: string;
  /** Epoch milliseconds after which the grant is worthless. */
  expiresAt: number;
}

/** What {@link Verifier.verifyGrant} takes: the grant and what the tool is about to do. @public */
export interface GrantCheck {
  /** The grant (a compact JWS) as `requireVerified` returned it. */
  grant: string;
  /** The action the tool is about to perform; must be the grant's. */
  action: string;
  /** When given, the grant must be for this end-user. */
  endUserId?: string;
  /** When given, the grant must be for this ticket. */
  ticketId?: string;
  /** When given, the grant must be of this tenant. */
  tenantId?: string;
}

const grantKeys = (grantId: string) => `grant-used:${encodeURIComponent(grantId)}`;
const issuedKey = (sessionId: string, action: string) =>
  `grant-issued:${encodeURIComponent(sessionId)}:${encodeURIComponent(action)}`;

export async function requireVerified(
  rt: Runtime,
  input: GrantRequest,
): Promise<{ grant: string; claims: ResetGrant }> {
  const now = rt.clock.now();
  const within = input.within ?? 15 * MINUTE;
  const sessions = await callPort('session store', 'listForTicket', () =>
    rt.store.listForTicket(input.tenantId, input.ticketId),
  );
  // Newest approval first; each allows one grant per action, so a replayed request cannot mint a second reset.
  const candidates = sessions
    .filter(
      (s): s is Extract<VerificationSession, { status: 'approved' }> =>
        s.tenantId === input.tenantId &&
        s.status === 'approved' &&
        s.purpose === 'verify' &&
        s.ticket?.id === input.ticketId &&
        s.endUser.id === input.endUserId &&
        s.closedAt >= now - within &&
        (input.technicianId === undefined || s.technician.id === input.technicianId),
    )
    .sort((a, b) => b.closedAt - a.closedAt);
  let approved: (typeof candidates)[number] | undefined;
  for (const candidate of candidates) {
    const issued = await callPort('rate counter', 'increment', () =>
      rt.counters.increment(input.tenantId, issuedKey(candidate.id, input.action), {
        windowMs: ISSUED_WINDOW_MS,
        now,
      }),
    );
    if (issued === 1) {
      approved = candidate;
      break;
    }
  }
  if (!approved) {
    const why = candidates.length
      ? `A grant to ${input.action} was already issued for each approval of ${input.endUserId} on ticket ${input.ticketId}. Verify the caller again for another.`
      : `No verification approved ${input.endUserId} on ticket ${input.ticketId} in the last ${Math.round(within / MINUTE)} minutes. Verify the caller first, then ask for the grant again.`;
    throw new PreconditionError(why, {
      code: 'not_verified',
      details: {
        ticketId: input.ticketId,
        endUserId: input.endUserId,
        ...(candidates.length ? { reason: 'grant_already_issued' } : {}),
      },
    });
  }
  const ttl = Math.min(input.ttlMs ?? GRANT_TTL_MS, MAX_GRANT_TTL_MS);
  const claims: ResetGrant = {
    grantId: `gr_${generateId(rt.random, 18)}`,
    tenantId: input.tenantId,
    customerId: approved.customerId,
    endUserId: approved.endUser.id,
    ticketId: input.ticketId,
    technicianId: approved.technician.id,
    sessionId: approved.id,
    action: input.action,
    expiresAt: Math.floor((now + ttl) / 1000) * 1000,
  };
  const grant = await new SignJWT({
    tid: claims.tenantId,
    cus: claims.customerId,
    tkt: claims.ticketId,
    tec: claims.technicianId,
    sid: claims.sessionId,
    act: claims.action,
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'qdesk-grant+jwt' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject(claims.endUserId)
    .setJti(claims.grantId)
    .setIssuedAt(Math.floor(now / 1000))
    .setExpirationTime(claims.expiresAt / 1000)
    .sign(rt.digests.grantKey);
  await record(rt, approved, {
    action: 'grant_issued',
    actor: systemActor,
    result: 'ok',
    detail: { grantId: claims.grantId, action: input.action, expiresAt: claims.expiresAt },
  });
  return { grant, claims };
}

const invalid = (message: string, reason: string) =>
  new ForbiddenError(`${message} Refuse the reset.`, { code: 'grant_invalid', details: { reason } });

export async function verifyGrant(rt: Runtime, check: GrantCheck): Promise<ResetGrant> {
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(check.grant, rt.digests.grantKey, {
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ['HS256'],
      typ: 'qdesk-grant+jwt',
      currentDate: new Date(rt.clock.now()),
      requiredClaims: ['jti', 'sub', 'exp', 'iat'],
    }));
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) throw invalid('The grant has expired.', 'expired');
    throw invalid('The grant is malformed or was not signed by this QDesk.', 'signature');
  }
  const claims: ResetGrant = {
    grantId: String(payload.jti),
    tenantId: String(payload.tid),
    customerId: typeof payload.cus === 'string' ? payload.cus : null,
    endUserId: String(payload.sub),
    ticketId: String(payload.tkt),
    technicianId: String(payload.tec),
    sessionId: String(payload.sid),
    action: String(payload.act),
    expiresAt: Number(payload.exp) * 1000,
  };
  const mismatch =
    (claims.action !== check.action && 'action') ||
    (check.endUserId !== undefined && claims.endUserId !== check.endUserId && 'end-user') ||
    (check.ticketId !== undefined && claims.ticketId !== check.ticketId && 'ticket') ||
    (check.tenantId !== undefined && claims.tenantId !== check.tenantId && 'tenant');
  if (mismatch) throw invalid(`The grant is for another ${mismatch}.`, `wrong_${mismatch}`);
  const uses = await callPort('rate counter', 'increment', () =>
    rt.counters.increment(claims.tenantId, grantKeys(claims.grantId), {
      windowMs: 2 * MAX_GRANT_TTL_MS,
      now: rt.clock.now(),
    }),
  );
  if (uses > 1) throw invalid('The grant was used already; each grant allows one reset.', 'used');
  await record(
    rt,
    { tenantId: claims.tenantId },
    {
      action: 'grant_used',
      actor: systemActor,
      result: 'ok',
      detail: {
        grantId: claims.grantId,
        action: claims.action,
        sessionId: claims.sessionId,
        endUserId: claims.endUserId,
        ticketId: claims.ticketId,
      },
    },
  );
  return claims;
}
