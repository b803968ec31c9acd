import { createHash, timingSafeEqual } from 'node:crypto';
import { Hono } from 'hono';
import { z } from 'zod';
import { readBody, ticketId } from './body.js';
import type { AppServices } from './compose.js';
import type { Security, Technician } from './security.js';

// The gate before a reset. The technician's page asks for a grant once the caller is verified; the reset tool (the
// thing that actually resets a password or an MFA device) presents it here and acts only on a valid answer. A grant
// allows one action, for one end-user, on one ticket, once, for a few minutes.
//
// Note: a grant is a bearer credential for a reset. It is returned to the technician who asked and checked here;
// it is never logged, put in an event or written on the ticket.

/** The action a grant allows, in the verifier's words (`reset_password`, `reset_mfa`...). */
const action = z
  .string()
  .regex(/^[a-z][a-z0-9_.-]{0,63}$/, 'a short lowercase name such as reset_password or reset_mfa');
const endUserId = z.string().trim().min(1).max(128);
const grantRequest = z.object({ endUserId, ticketId, action }).strict();
const grantCheck = z
  .object({
    grant: z.string().min(1).max(4000),
    action,
    endUserId: endUserId.optional(),
    ticketId: ticketId.optional(),
  })
  .strict();

/** Compares a presented bearer token with the configured one in constant time (digests, so lengths can differ). */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const match = /^Bearer ([!-~]{1,512})$/.exec(header ?? '');
  if (!match) return false;
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(match[1]!), digest(token));
}

type Env = { Variables: { technician: Technician } };

export function createGrantsApi(services: AppServices, security: Security) {
  const api = new Hono<Env>();
  const { verifier } = services;

  // A signed-in technician asks for a grant for the verification they ran (bound to them: a verification by another
  // technician does not count). `not_verified` is a 403 whose message says to verify the caller first.
  api.post('/', security.requireTechnician(), async (c) => {
    const input = await readBody(grantRequest, () => c.req.json());
    const tech = c.get('technician');
    const { grant, claims } = await verifier.requireVerified({
      tenantId: services.tenantId,
      technicianId: tech.id,
      ...input,
    });
    return c.json({ grant, claims }, 201);
  });

  // The reset tool: authenticated by its bearer token (server to server, so no cookie and no CSRF token). The grant
  // is spent by this check; `grant_invalid` (403) means refuse the reset, whatever the reason.
  api.post('/verify', async (c) => {
    const token = services.resetToolToken;
    if (!token)
      return c.json(
        { error: { code: 'http_404', message: 'No reset tool is configured (QDESK_RESET_TOOL_TOKEN).' } },
        404,
      );
    if (!bearerMatches(c.req.header('authorization'), token)) {
      c.header('www-authenticate', 'Bearer realm="qdesk-reset-tool"');
      return c.json(
        {
          error: {
            code: 'http_401',
            message: 'Present the reset tool token as Authorization: Bearer <token>.',
          },
        },
        401,
      );
    }
    const input = await readBody(grantCheck, () => c.req.json());
    const claims = await verifier.verifyGrant({ ...input, tenantId: services.tenantId });
    return c.json({ claims });
  });

  return api;
}
