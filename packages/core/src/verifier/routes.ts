import type { Channel } from '../ports/channel.js';
import type { ContactSource, Device, EndUser, FallbackReason, Method } from '../types.js';
import type { Runtime } from './runtime.js';

/** Whether a method can be used for an end-user now, and what it would become. @public */
export interface MethodAvailability {
  /** The method. */
  method: Method;
  /** True when a send with this method would reach the end-user (possibly through a fallback). */
  available: boolean;
  /** For push methods that cannot reach the app: the code route used instead, or `null`. */
  fallsBackTo: 'sms' | 'email' | null;
  /** Why it is unavailable or falls back, in words a technician can act on; `null` when it works as named. */
  reason: string | null;
}

/** A device a push can be sent to, with the channel that reaches it. @internal */
export interface PushTarget {
  device: Device;
  channel: Channel;
}

/**
 * Whether a push to this device can reach the end-user's eyes: its notification permission is granted, or (an
 * Android app that never reported) its platform delivers without asking. A browser that never answered the prompt
 * (`default`) or never reported, and an iPhone that was never asked, cannot show a push: counting them would stop the
 * fallback to SMS.
 * @internal
 */
export function canAlert(device: Device): boolean {
  const permission = device.notificationPermission;
  return permission === 'granted' || (permission === 'unknown' && device.platform === 'android');
}

/** @internal */
export function pushTargets(
  rt: Runtime,
  user: EndUser,
): { targets: PushTarget[]; blocked: FallbackReason | null } {
  const reachable: PushTarget[] = [];
  for (const device of user.devices) {
    const channel = rt.channels.push.find((c) => !c.platforms || c.platforms.includes(device.platform));
    if (channel) reachable.push({ device, channel });
  }
  if (reachable.length === 0) return { targets: [], blocked: 'no_push_device' };
  const granted = reachable.filter((t) => canAlert(t.device));
  if (granted.length === 0) return { targets: [], blocked: 'notifications_denied' };
  return { targets: granted, blocked: null };
}

const SOURCE_TEXT: Record<ContactSource, string> = {
  idp_mfa: 'an MFA method at the identity provider',
  directory: 'the directory',
  scim: 'SCIM provisioning',
  psa: 'the PSA contact only',
  manual: 'a manual entry',
};

/** Words for where a contact point came from, for screens and errors. @public */
export function contactSourceText(source: ContactSource): string {
  return SOURCE_TEXT[source];
}

const DAY = 24 * 3600_000;

/** Why the policy refuses to text the mobile number on file (its source, or a recent change), or `null`. @internal */
function phoneProblem(rt: Runtime, user: EndUser): string | null {
  const provenance = user.provenance?.mobilePhone;
  const { smsSources, newPhoneDays } = rt.policy;
  if (smsSources !== 'any' && !(provenance && smsSources.includes(provenance.source))) {
    const from = provenance ? SOURCE_TEXT[provenance.source] : 'an unrecorded source';
    return `the mobile number on file came from ${from}, and this customer's policy texts codes only to numbers from ${smsSources.map((s) => SOURCE_TEXT[s]).join(' or ')}`;
  }
  const changedAt = provenance?.changedAt ?? null;
  if (changedAt !== null && newPhoneDays > 0) {
    const age = rt.clock.now() - changedAt;
    if (age < newPhoneDays * DAY) {
      const days = Math.max(0, Math.floor(age / DAY));
      return `the mobile number on file changed ${days === 0 ? 'today' : `${days} day${days === 1 ? '' : 's'} ago`} and counts as new for ${newPhoneDays} days: verify with another method`;
    }
  }
  return null;
}

/** Why a code route cannot be used for this end-user, or `null` when it can. @internal */
export function codeRouteProblem(rt: Runtime, user: EndUser, route: 'sms' | 'email'): string | null {
  if (route === 'sms') {
    if (!rt.channels.sms) return 'no SMS channel is configured';
    if (!user.mobilePhone) return 'no mobile phone is on file for this end-user';
    return phoneProblem(rt, user);
  }
  if (!rt.channels.email) return 'no email channel is configured';
  if (!user.email) return 'no email address is on file for this end-user';
  return null;
}

/** The fallback routes usable for this end-user, in policy order. @internal */
export function fallbackRoutes(rt: Runtime, user: EndUser): ('sms' | 'email')[] {
  return rt.policy.fallback.filter((route) => codeRouteProblem(rt, user, route) === null);
}

const CODE_BY = { sms: 'an SMS code', email: 'an email code' } as const;

const BLOCKED_TEXT: Record<FallbackReason, string> = {
  no_push_device: 'no device with the app can receive a push',
  notifications_denied: 'notifications are not allowed on any of their devices',
  push_failed_permanently: 'the push service reported the device gone',
  push_unreachable: 'the push service could not be reached',
  channel_failed: 'the previous route failed',
};

/** @internal */
export function fallbackReasonText(reason: FallbackReason): string {
  return BLOCKED_TEXT[reason];
}

/** Every method with whether it can reach this end-user now. @internal */
export function availability(rt: Runtime, user: EndUser): MethodAvailability[] {
  const { blocked } = pushTargets(rt, user);
  const fallback = fallbackRoutes(rt, user)[0] ?? null;
  return rt.policy.methods.map((method): MethodAvailability => {
    if (method === 'sms' || method === 'email') {
      const problem = codeRouteProblem(rt, user, method);
      return { method, available: problem === null, fallsBackTo: null, reason: problem };
    }
    if (rt.channels.push.length === 0) {
      const reason = 'no push channel is configured';
      return fallback
        ? {
            method,
            available: true,
            fallsBackTo: fallback,
            reason: `${reason}; ${CODE_BY[fallback]} is sent instead`,
          }
        : { method, available: false, fallsBackTo: null, reason };
    }
    if (blocked === null) return { method, available: true, fallsBackTo: null, reason: null };
    const why = BLOCKED_TEXT[blocked];
    return fallback
      ? {
          method,
          available: true,
          fallsBackTo: fallback,
          reason: `${why}; ${CODE_BY[fallback]} is sent instead`,
        }
      : { method, available: false, fallsBackTo: null, reason: `${why}, and no fallback route is on file` };
  });
}
