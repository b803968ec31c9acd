import { outcomeReasonOf, type SessionSnapshot, type Verifier } from '@qdesk/core';
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { z } from 'zod';
import { id, idempotencyKey, readBody, reason, ticketId } from './body.js';
import type { AppServices } from './compose.js';
import { createGrantsApi } from './grants-api.js';
import type { LiveHub } from './live.js';
import type { Security, Technician } from './security.js';
import { createSelfServeApi } from './self-serve-api.js';
import { actorFor } from './staff.js';

const method = z.enum(['number_match', 'push_code', 'sms', 'push', 'email']);
const startBody = z
  .object({
    ticketId: ticketId.optional(),
    email: z.email('must be an email address').max(254).optional(),
    method,
    codeMode: z.enum(['verify', 'compare']).optional(),
    idempotencyKey: idempotencyKey.optional(),
    // A ticket keeps one verification: `supersede` cancels the one in progress instead of resuming it.
    ifActive: z.enum(['resume', 'supersede']).optional(),
    // Bind an email start to a ticket of another customer; core allows it only where the policy does.
    override: z
      .object({ reason: reason(10) })
      .strict()
      .optional(),
  })
  .strict()
  .refine((b) => b.ticketId !== undefined || b.email !== undefined, {
    message: 'give a ticketId or an email',
  });
const reverseBody = z
  .object({
    endUserId: z.string().trim().min(1).max(128).optional(),
    email: z.email('must be an email address').max(254).optional(),
    ticketId: ticketId.optional(),
    idempotencyKey: idempotencyKey.optional(),
  })
  .strict()
  .refine((b) => (b.endUserId === undefined) !== (b.email === undefined), {
    message: 'give exactly one of endUserId or email',
  });
const codeBody = z.object({ code: z.string().max(32) }).strict();
const takeOverBody = z.object({ reason: reason(5) }).strict();

type Env = { Variables: { technician: Technician } };

/** A session as the technician API returns it: with why it ended (`null` while open), so a page can say which. */
const withReason = (session: SessionSnapshot) => ({ ...session, outcomeReason: outcomeReasonOf(session) });

/** The technician API (verifications, reverse checks, grants) and the end-user's self-serve API. */
export function createApi(services: AppServices, security: Security, live: LiveHub) {
  const api = new Hono<Env>();
  const { verifier } = services;
  const actorOf = (tech: Technician) => actorFor(services.tenantId, tech);
  // The app's clock, so a page counts down to a deadline in the server's time (a test clock in browser tests).
  const now = () => services.clock.now();

  for (const path of ['/verifications', '/verifications/*', '/reverse'])
    api.use(path, security.requireTechnician());

  api.post('/verifications', async (c) => {
    const input = await readBody(startBody, () => c.req.json());
    const actor = actorOf(c.get('technician'));
    const options = {
      ...(input.idempotencyKey ? { idempotencyKey: input.idempotencyKey } : {}),
      ...(input.ifActive ? { ifActive: input.ifActive } : {}),
    };
    const started =
      input.email !== undefined
        ? // No matched contact: start from the email, still bound to the ticket so the outcome lands on it.
          await verifier.startForEndUser({
            actor,
            email: input.email,
            ...(input.ticketId !== undefined ? { ticketId: input.ticketId } : {}),
            ...(input.override ? { override: input.override } : {}),
            ...options,
          })
        : await verifier.startFromTicket({ actor, ticketId: input.ticketId!, ...options });
    const { session } = started;
    // The ticket's verification in progress (or this click's own, repeated): show it rather than send again. Another
    // technician's is shown too, so the page can offer to take it over.
    if (started.resumed && (session.status !== 'idle' || session.technician.id !== actor.technicianId)) {
      return c.json({
        session: withReason(session),
        display: {},
        endUser: started.endUser,
        resumed: true,
        replayed: true,
        now: now(),
      });
    }
    let sent: Awaited<ReturnType<Verifier['send']>>;
    try {
      sent = await verifier.send({
        actor,
        sessionId: session.id,
        method: input.method,
        ...(input.codeMode ? { codeMode: input.codeMode } : {}),
        ...(input.idempotencyKey ? { idempotencyKey: input.idempotencyKey } : {}),
      });
    } catch (error) {
      // Nothing went out: close the session this click made, so it does not hold the ticket (as core does for a
      // reverse check). A resumed one stays: it was there before this click.
      if (!started.resumed) await verifier.cancel({ actor, sessionId: session.id }).catch(() => undefined);
      throw error;
    }
    return c.json(
      {
        session: withReason(sent.session),
        display: sent.display,
        endUser: started.endUser,
        resumed: started.resumed,
        replayed: sent.replayed,
        now: now(),
      },
      201,
    );
  });

  api.post('/reverse', async (c) => {
    const input = await readBody(reverseBody, () => c.req.json());
    const actor = actorOf(c.get('technician'));
    // The end-user's app gets the request; without the app, an SMS points them to the self-serve page where it
    // waits. Neither possible: `no_delivery_route` (422), and core closes the request so it does not hold the ticket.
    const { session, display, endUser, resumed, replayed } = await verifier.startReverse({
      actor,
      ...(input.endUserId !== undefined ? { endUserId: input.endUserId } : { email: input.email! }),
      ...(input.ticketId !== undefined ? { ticketId: input.ticketId } : {}),
      ...(input.idempotencyKey ? { idempotencyKey: input.idempotencyKey } : {}),
    });
    return c.json(
      { session: withReason(session), display, endUser, resumed, replayed, now: now() },
      resumed ? 200 : 201,
    );
  });

  api.get('/verifications/:id', async (c) => {
    const sessionId = id.parse(c.req.param('id'));
    const session = await verifier.getSession({ actor: actorOf(c.get('technician')), sessionId });
    return c.json({ session: withReason(session), now: now() });
  });

  api.post('/verifications/:id/check', async (c) => {
    const sessionId = id.parse(c.req.param('id'));
    const { code } = await readBody(codeBody, () => c.req.json());
    const result = await verifier.checkCode({ actor: actorOf(c.get('technician')), sessionId, code });
    return c.json({ ...result, session: withReason(result.session) });
  });

  for (const action of ['approve', 'deny', 'cancel'] as const) {
    api.post(`/verifications/:id/${action}`, async (c) => {
      const sessionId = id.parse(c.req.param('id'));
      const session = await verifier[action]({ actor: actorOf(c.get('technician')), sessionId });
      return c.json({ session: withReason(session) });
    });
  }

  // A verification acts only for its technician; another one takes it over, with a reason on the audit record.
  api.post('/verifications/:id/take-over', async (c) => {
    const sessionId = id.parse(c.req.param('id'));
    const { reason } = await readBody(takeOverBody, () => c.req.json());
    const actor = actorOf(c.get('technician'));
    const session = await verifier.takeOver({ actor, sessionId, reason });
    return c.json({ session: withReason(session) });
  });

  api.get('/verifications/:id/events', async (c) => {
    const sessionId = id.parse(c.req.param('id'));
    const actor = actorOf(c.get('technician'));
    const first = await verifier.getSession({ actor, sessionId }); // 404 for unknown or another tenant's session
    return streamSSE(c, async (stream) => {
      const queue: string[] = [];
      let wake: (() => void) | null = null;
      const push = (update: object) => {
        queue.push(JSON.stringify(update));
        wake?.();
      };
      const stop = live.watch(sessionId, push);
      stream.onAbort(() => {
        stop();
        wake?.();
      });
      await stream.writeSSE({
        event: 'status',
        data: JSON.stringify({ event: 'snapshot', sessionId, status: first.status }),
      });
      while (!stream.aborted && !stream.closed) {
        if (queue.length === 0) {
          await Promise.race([new Promise<void>((r) => (wake = r)), stream.sleep(15_000)]);
          wake = null;
          if (queue.length === 0 && !stream.aborted) await stream.writeSSE({ event: 'ping', data: '{}' });
          continue;
        }
        await stream.writeSSE({ event: 'status', data: queue.shift()! });
      }
      stop();
    });
  });

  api.route('/grants', createGrantsApi(services, security));
  api.route('/self-serve', createSelfServeApi(services, security));
  return api;
}
