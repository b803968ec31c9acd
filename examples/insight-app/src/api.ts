import type { Actor } from '@qdesk/core';
import { type Context, Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { z } from 'zod';
import type { AppServices } from './compose.js';
import type { LiveHub } from './live.js';
import type { Security, Technician } from './security.js';

const id = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only');
const ticketId = z.string().trim().min(1).max(32).regex(/^\d+$/, 'a numeric ticket id');
const method = z.enum(['sms', 'email', 'push', 'push_code', 'number_match']);
const startBody = z
  .object({
    ticketId: ticketId.optional(),
    email: z.email('must be an email address').max(254).optional(),
    method,
    codeMode: z.enum(['verify', 'compare']).optional(),
  })
  .strict()
  .refine((b) => b.ticketId !== undefined || b.email !== undefined, {
    message: 'give a ticketId or an email',
  });
const codeBody = z.object({ code: z.string().max(32) }).strict();
const answerBody = z
  .object({
    sessionId: id,
    token: z.string().min(1).max(200),
    answer: z.enum(['approve', 'deny', 'number']),
    number: z.string().max(32).optional(),
  })
  .strict();
const deviceBody = z
  .object({
    deviceId: id,
    permission: z.enum(['granted', 'denied', 'default']),
    subscription: z
      .object({
        endpoint: z.url({ protocol: /^https$/ }).max(2000),
        keys: z.object({ p256dh: z.string().max(200), auth: z.string().max(100) }).strict(),
      })
      .nullable()
      .optional(),
  })
  .strict();

async function body<S extends z.ZodType>(schema: S, read: () => Promise<unknown>): Promise<z.output<S>> {
  let raw: unknown;
  try {
    raw = await read();
  } catch {
    raw = undefined;
  }
  return schema.parse(raw);
}

type Env = { Variables: { technician: Technician } };

export function createApi(services: AppServices, security: Security, live: LiveHub) {
  const api = new Hono<Env>();
  const { verifier } = services;
  const actorOf = (tech: Technician): Actor => ({
    tenantId: services.tenantId,
    technicianId: tech.id,
    technicianName: tech.name,
  });

  // Technician routes live under /verifications; the self-serve routes below have their own end-user check.
  const tech = api;
  tech.use('/verifications', security.requireTechnician());
  tech.use('/verifications/*', security.requireTechnician());

  tech.post('/verifications', async (c) => {
    const input = await body(startBody, () => c.req.json());
    const actor = actorOf(c.get('technician'));
    let started: Awaited<ReturnType<typeof verifier.startFromTicket>>;
    if (input.email !== undefined) {
      // No matched contact: start from the email, still bound to the ticket so the outcome lands on it.
      started = await verifier.startForEndUser({
        actor,
        email: input.email,
        ...(input.ticketId !== undefined ? { ticketId: input.ticketId } : {}),
      });
    } else {
      started = await verifier.startFromTicket({ actor, ticketId: input.ticketId! });
    }
    const sent = await verifier.send({
      actor,
      sessionId: started.session.id,
      method: input.method,
      ...(input.codeMode ? { codeMode: input.codeMode } : {}),
    });
    return c.json({ session: sent.session, display: sent.display, endUser: started.endUser }, 201);
  });

  tech.get('/verifications/:id', async (c) => {
    const sessionId = id.parse(c.req.param('id'));
    return c.json({ session: await verifier.getSession({ actor: actorOf(c.get('technician')), sessionId }) });
  });

  tech.post('/verifications/:id/check', async (c) => {
    const sessionId = id.parse(c.req.param('id'));
    const { code } = await body(codeBody, () => c.req.json());
    return c.json(await verifier.checkCode({ actor: actorOf(c.get('technician')), sessionId, code }));
  });

  for (const action of ['approve', 'deny', 'cancel'] as const) {
    tech.post(`/verifications/:id/${action}`, async (c) => {
      const sessionId = id.parse(c.req.param('id'));
      return c.json({ session: await verifier[action]({ actor: actorOf(c.get('technician')), sessionId }) });
    });
  }

  tech.get('/verifications/:id/events', async (c) => {
    const sessionId = id.parse(c.req.param('id'));
    const actor = actorOf(c.get('technician'));
    const first = await verifier.getSession({ actor, sessionId }); // 404 for unknown or another tenant's session
    return streamSSE(c, async (stream) => {
      const queue: string[] = [];
      let wake: (() => void) | null = null;
      const stop = live.watch(sessionId, (update) => {
        queue.push(JSON.stringify(update));
        wake?.();
      });
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

  // The end-user's self-serve app: signed in as an end-user, answers authenticated by the challenge token.
  const requireEndUser = async (c: Context) => {
    const endUserId = await security.endUser(c);
    if (!endUserId) return null;
    return endUserId;
  };

  api.get('/self-serve/config', (c) => c.json({ vapidPublicKey: services.vapidPublicKey }));

  api.get('/self-serve/pending', async (c) => {
    const endUserId = await requireEndUser(c);
    if (!endUserId)
      return c.json({ error: { code: 'http_401', message: 'Sign in to the self-serve app first.' } }, 401);
    return c.json({
      challenges: await verifier.pendingChallenges({ tenantId: services.tenantId, endUserId }),
    });
  });

  api.post('/self-serve/answer', async (c) => {
    const endUserId = await requireEndUser(c);
    if (!endUserId)
      return c.json({ error: { code: 'http_401', message: 'Sign in to the self-serve app first.' } }, 401);
    const input = await body(answerBody, () => c.req.json());
    const answer = { tenantId: services.tenantId, sessionId: input.sessionId, token: input.token };
    const result =
      input.answer === 'number'
        ? await verifier.answerFromDevice({ ...answer, answer: 'number', number: input.number ?? '' })
        : await verifier.answerFromDevice({ ...answer, answer: input.answer });
    return c.json(result);
  });

  api.post('/self-serve/device', async (c) => {
    const endUserId = await requireEndUser(c);
    if (!endUserId)
      return c.json({ error: { code: 'http_401', message: 'Sign in to the self-serve app first.' } }, 401);
    const input = await body(deviceBody, () => c.req.json());
    const user = await services.directory.getById(services.tenantId, endUserId);
    if (!user)
      return c.json(
        { error: { code: 'end_user_not_found', message: 'Your account no longer exists.' } },
        404,
      );
    const existing = user.devices.find((d) => d.id === input.deviceId);
    await services.directory.upsertDevice!(services.tenantId, endUserId, {
      id: input.deviceId,
      platform: 'web',
      pushAddress: input.subscription ? JSON.stringify(input.subscription) : (existing?.pushAddress ?? '{}'),
      notificationPermission: input.permission,
      lastSeenAt: services.clock.now(),
      label: 'This browser',
    });
    return c.json({ ok: true });
  });

  return api;
}
