import { type ChallengeState, isQdeskError } from '@qdesk/core';
import { type Context, Hono } from 'hono';
import { z } from 'zod';
import { id, readBody } from './body.js';
import type { AppServices } from './compose.js';
import type { Security } from './security.js';

// The end-user's self-serve app: signed in as an end-user; answers are authenticated by the challenge token only
// that end-user's pending list hands out. Verifications and reverse checks (the end-user checking a technician who
// called them) arrive the same way and are answered here.

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
        endpoint: z
          .url({ protocol: /^https$/ })
          .max(2000)
          .refine(isPushService, {
            message: "must be a browser push service's address (Google FCM, Mozilla, Apple or Windows)",
          }),
        keys: z.object({ p256dh: z.string().max(200), auth: z.string().max(100) }).strict(),
      })
      .nullable()
      .optional(),
  })
  .strict();

/**
 * The browser push services a Web Push subscription may name: Chrome and Edge's FCM, Firefox's autopush, Safari's
 * and Windows' services. The server sends to whatever a subscription names, so an end-user must not be able to point
 * it at a loopback, private or any other address (a server-side request forgery, and a port scan through the
 * delivery failures on the audit trail).
 */
export const PUSH_SERVICE_HOSTS = [
  'fcm.googleapis.com',
  'updates.push.services.mozilla.com',
  'web.push.apple.com',
  '.push.apple.com',
  '.notify.windows.com',
] as const;

/** An https endpoint on the default port of a known push service (a leading dot: that domain's subdomains). */
export function isPushService(endpoint: string): boolean {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return false;
  }
  if (url.protocol !== 'https:' || url.port !== '' || url.username || url.password) return false;
  const host = url.hostname.toLowerCase();
  return PUSH_SERVICE_HOSTS.some((known) =>
    known.startsWith('.') ? host.endsWith(known) && host.length > known.length : host === known,
  );
}

const signInFirst = { error: { code: 'http_401', message: 'Sign in to the self-serve app first.' } } as const;
// The same answer for a request that does not exist and one that is someone else's: no id tells whose it is.
const noSuchRequest = {
  error: { code: 'session_not_found', message: 'No request of yours has that id; check the list again.' },
} as const;

export function createSelfServeApi(services: AppServices, security: Security) {
  const api = new Hono();
  const { verifier } = services;
  const endUserOf = (c: Context) => security.endUser(c);
  /** One of the end-user's own requests: status and closing reason, or `null` when missing or not theirs. */
  async function stateOf(endUserId: string, sessionId: string): Promise<ChallengeState | null> {
    try {
      return await verifier.challengeState({ tenantId: services.tenantId, endUserId, sessionId });
    } catch (error) {
      if (isQdeskError(error) && error.code === 'session_not_found') return null;
      throw error;
    }
  }

  api.get('/config', (c) => c.json({ vapidPublicKey: services.vapidPublicKey }));

  api.get('/pending', async (c) => {
    const endUserId = await endUserOf(c);
    if (!endUserId) return c.json(signInFirst, 401);
    return c.json({
      challenges: await verifier.pendingChallenges({ tenantId: services.tenantId, endUserId }),
      // The app's clock, so the phone counts down to `expiresAt` in the server's time whatever its own clock says.
      now: services.clock.now(),
    });
  });

  // A request that left the list without this device answering it: the app says why (cancelled, replaced by a newer
  // one, expired, answered elsewhere), and a push + code's code is taken off the screen once its request closes.
  api.get('/requests/:id', async (c) => {
    const endUserId = await endUserOf(c);
    if (!endUserId) return c.json(signInFirst, 401);
    const state = await stateOf(endUserId, id.parse(c.req.param('id')));
    return state ? c.json(state) : c.json(noSuchRequest, 404);
  });

  api.post('/answer', async (c) => {
    const endUserId = await endUserOf(c);
    if (!endUserId) return c.json(signInFirst, 401);
    const input = await readBody(answerBody, () => c.req.json());
    const answer = { tenantId: services.tenantId, sessionId: input.sessionId, token: input.token };
    const result =
      input.answer === 'number'
        ? await verifier.answerFromDevice({ ...answer, answer: 'number', number: input.number ?? '' })
        : await verifier.answerFromDevice({ ...answer, answer: input.answer });
    // The reason tells the end-user what happened in their words: a number that did not match is not "Denied".
    const state = await stateOf(endUserId, input.sessionId);
    return c.json({ ...result, reason: state?.reason ?? null });
  });

  api.post('/device', async (c) => {
    const endUserId = await endUserOf(c);
    if (!endUserId) return c.json(signInFirst, 401);
    const input = await readBody(deviceBody, () => c.req.json());
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
