import { type ChallengeState, type Device, type EndUser, isQdeskError } from '@qdesk/core';
import type { AccountNoticeContext } from '@qdesk/core/ports';
import { type Context, Hono } from 'hono';
import { z } from 'zod';
import { id, readBody } from './body.js';
import type { AppServices } from './compose.js';
import { auditAccount, endUserActor, sendAccountNotice } from './enrolment.js';
import type { Security } from './security.js';
import { fromThisOrigin } from './self-serve-page.js';

// The end-user's self-serve app: signed in as an end-user; answers are authenticated by the challenge token only
// that end-user's pending list hands out. Verifications and reverse checks (the end-user checking a technician who
// called them) arrive the same way and are answered here. The end-user also lists and removes their own devices; a
// device they did not have before is announced to the phone and email on file (NIST SP 800-63B rev 4, 4.1.2.1: a new
// authenticator is notified through an independent channel), so someone who enrolled a device in their name shows.

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

// First match wins: Edge, Opera and Samsung Internet also say "Chrome", and Chrome also says "Safari".
const BROWSERS: readonly (readonly [RegExp, string])[] = [
  [/\bEdg(?:A|iOS)?\//, 'Edge'],
  [/\bOPR\/|\bOPiOS\//, 'Opera'],
  [/\bSamsungBrowser\//, 'Samsung Internet'],
  [/\bFirefox\/|\bFxiOS\//, 'Firefox'],
  [/Chrome\/|\bCriOS\/|\bChromium\//, 'Chrome'],
  [/\bVersion\/[\d.]+ (?:Mobile\/\w+ )?Safari\//, 'Safari'],
];
// iPhones and iPads say "like Mac OS X", Android says "Linux": the specific names come first.
const SYSTEMS: readonly (readonly [RegExp, string])[] = [
  [/\biPhone\b/, 'iPhone'],
  [/\biPad\b/, 'iPad'],
  [/\bAndroid\b/, 'Android'],
  [/\bCrOS\b/, 'ChromeOS'],
  [/\bWindows\b/, 'Windows'],
  [/\bMacintosh\b/, 'Mac'],
  [/\bLinux\b/, 'Linux'],
];

/**
 * A short, readable name for the browser a device enrolled from ("Chrome on Android", "Safari on iPhone"), from its
 * User-Agent: no version numbers, nothing an end-user would not recognise. Unknown parts read as "Browser" or are
 * left out.
 * @example deviceLabelOf('Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) ... Version/17.5 Mobile/15E148 Safari/604.1') // 'Safari on iPhone'
 */
export function deviceLabelOf(userAgent: string | undefined): string {
  const ua = (userAgent ?? '').slice(0, 512);
  const browser = BROWSERS.find(([pattern]) => pattern.test(ua))?.[1];
  const system = SYSTEMS.find(([pattern]) => pattern.test(ua))?.[1];
  if (!system) return browser ?? 'Web browser';
  return `${browser ?? 'Browser'} on ${system}`;
}

/** A device without a label (one the directory file or an app enrolled): named by its platform. */
const PLATFORM_LABEL: Record<Device['platform'], string> = {
  ios: 'iPhone app',
  android: 'Android app',
  web: 'Web browser',
};

/** A device as the end-user's own list shows it: never its push address. */
export interface OwnDevice {
  id: string;
  label: string;
  platform: Device['platform'];
  notificationPermission: Device['notificationPermission'];
  /** Epoch milliseconds of its last report, or `null` when never reported. */
  lastSeenAt: number | null;
  /** Whether it is the device the list was asked from. */
  current: boolean;
}

/** The end-user's devices for their own list: this device first, then the most recently seen. */
export function ownDevices(user: EndUser, currentId: string | null): OwnDevice[] {
  return user.devices
    .map((d) => ({
      id: d.id,
      label: d.label ?? PLATFORM_LABEL[d.platform],
      platform: d.platform,
      notificationPermission: d.notificationPermission,
      lastSeenAt: d.lastSeenAt ?? null,
      current: d.id === currentId,
    }))
    .sort((a, b) => Number(b.current) - Number(a.current) || (b.lastSeenAt ?? 0) - (a.lastSeenAt ?? 0));
}

const signInFirst = { error: { code: 'http_401', message: 'Sign in to the self-serve app first.' } } as const;
// The same answer for a request that does not exist and one that is someone else's: no id tells whose it is.
const noSuchRequest = {
  error: { code: 'session_not_found', message: 'No request of yours has that id; check the list again.' },
} as const;
// The same for a device that does not exist and one of someone else's.
const noSuchDevice = {
  error: { code: 'device_not_found', message: 'No device of yours has that id; reload the list.' },
} as const;
const accountGone = {
  error: { code: 'end_user_not_found', message: 'Your account no longer exists; ask your helpdesk.' },
} as const;

/** The count that lets one report of a new device announce it. */
const announcedKey = (endUserId: string, deviceId: string) => `device-announced:${endUserId}:${deviceId}`;
/** How long a device's announcement is remembered (a removal forgets it at once). */
const ANNOUNCED_FOR_MS = 366 * 24 * 3600_000;

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
    if (!user) return c.json(accountGone, 404);
    const existing = user.devices.find((d) => d.id === input.deviceId);
    const at = services.clock.now();
    const device: Device = {
      id: input.deviceId,
      platform: 'web',
      pushAddress: input.subscription ? JSON.stringify(input.subscription) : (existing?.pushAddress ?? '{}'),
      notificationPermission: input.permission,
      lastSeenAt: at,
      label: deviceLabelOf(c.req.header('user-agent')),
    };
    await services.directory.upsertDevice!(services.tenantId, endUserId, device);
    // A page reports itself more than once as it loads: of reports racing for one new device, on any instance, only
    // the first (an atomic count in the shared store) announces it.
    if (!existing) {
      const reports = await services.stores.counters.increment(
        services.tenantId,
        announcedKey(endUserId, device.id),
        {
          windowMs: ANNOUNCED_FOR_MS,
          now: at,
        },
      );
      if (reports === 1) await announceEnrolment(user, device, at);
    }
    return c.json({ ok: true });
  });

  /** Audits a device the end-user did not have, and tells them on every route on file; a failed notice is audited. */
  async function announceEnrolment(user: EndUser, device: Device, at: number) {
    const record = (
      action: string,
      result: string,
      detail: Record<string, string | number | boolean | null>,
    ) => auditAccount(services, { action, actor: endUserActor(user), endUserId: user.id, result, detail });
    await record('device_enrolled', 'ok', {
      deviceId: device.id,
      label: device.label!,
      platform: device.platform,
    });
    const context: AccountNoticeContext = {
      kind: 'device_enrolled',
      mspName: services.mspName,
      // Where the end-user removes a device they do not know (PUBLIC_URL only: a request's Host is not trusted).
      link: services.notices.selfServeUrl,
      deviceLabel: device.label!,
      expiresInMinutes: null,
      expiresAt: at + 3600_000,
      at,
    };
    const deliveries = await sendAccountNotice(services, user, context, 'all');
    if (deliveries.length === 0)
      await record('account_notice_failed', 'no_route', { kind: 'device_enrolled' });
    for (const { route, result } of deliveries) {
      if (result.status === 'accepted') continue;
      await record('account_notice_failed', result.status, {
        kind: 'device_enrolled',
        route,
        reason: result.reason,
        providerCode: result.providerCode ?? null,
      });
    }
  }

  // The signed-in end-user's own devices; `current` is the id this browser keeps, so the list can say which is this.
  api.get('/devices', async (c) => {
    const endUserId = await endUserOf(c);
    if (!endUserId) return c.json(signInFirst, 401);
    const current = id.safeParse(c.req.query('current'));
    const user = await services.directory.getById(services.tenantId, endUserId);
    if (!user) return c.json(accountGone, 404);
    return c.json({ devices: ownDevices(user, current.success ? current.data : null) });
  });

  api.delete('/devices/:id', async (c) => {
    if (!fromThisOrigin(c))
      return c.json(
        { error: { code: 'http_403', message: 'Remove devices from the self-serve page itself.' } },
        403,
      );
    const endUserId = await endUserOf(c);
    if (!endUserId) return c.json(signInFirst, 401);
    const deviceId = id.parse(c.req.param('id'));
    const user = await services.directory.getById(services.tenantId, endUserId);
    const device = user?.devices.find((d) => d.id === deviceId);
    if (!user || !device) return c.json(noSuchDevice, 404);
    await services.directory.removeDevice!(services.tenantId, endUserId, deviceId);
    // Enrolled again later, it is a new device again, and announced.
    await services.stores.counters.reset(services.tenantId, announcedKey(endUserId, deviceId));
    await auditAccount(services, {
      action: 'device_removed',
      actor: endUserActor(user),
      endUserId: user.id,
      result: 'ok',
      detail: { deviceId, label: device.label ?? PLATFORM_LABEL[device.platform], platform: device.platform },
    });
    return c.json({ removed: deviceId });
  });

  return api;
}
