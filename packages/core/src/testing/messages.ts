/** v1 messages of each route, for the channel kit, partners' channel tests, the broken channels and the memory channel tests. */
import { accountNoticeEmail, accountNoticeSms } from '../account-notice.js';
import type {
  AccountNoticeContext,
  CodeMessageContext,
  EmailMessage,
  OutboundMessage,
  PushMessage,
  SmsMessage,
} from '../ports/channel.js';
import type { Device, Route } from '../types.js';

/** The content of a code message; the code is distinctive so a test can find it in a payload or a log. @public */
export const sampleCodeContext = (): CodeMessageContext => ({
  code: '482913',
  technicianName: 'Dana Reyes',
  ticketNumber: 'T20260101.0042',
  companyName: 'Contoso Dental',
  expiresInMinutes: 10,
  // Far enough ahead that a channel which bounds provider retries by it (Twilio `ValidityPeriod`) sends it.
  expiresAt: Date.now() + 10 * 60_000,
});

/** An SMS carrying the code, with `overrides` applied. @public */
export const sampleSmsMessage = (overrides: Partial<SmsMessage> = {}): SmsMessage => ({
  route: 'sms',
  tenantId: 'tenant-conformance',
  to: '+15550100001',
  text: `QDesk code ${sampleCodeContext().code}. Only read it to Dana Reyes.`,
  sessionId: 'sess_conformance_sms',
  context: sampleCodeContext(),
  ...overrides,
});

/** An email carrying the code, with `overrides` applied. @public */
export const sampleEmailMessage = (overrides: Partial<EmailMessage> = {}): EmailMessage => ({
  route: 'email',
  tenantId: 'tenant-conformance',
  to: 'jo.user@contoso.example',
  subject: 'Your QDesk verification code',
  text: `Your code is ${sampleCodeContext().code}. Only read it to Dana Reyes.`,
  html: `<p>Your code is <b>${sampleCodeContext().code}</b>. Only read it to Dana Reyes.</p>`,
  sessionId: 'sess_conformance_email',
  context: sampleCodeContext(),
  ...overrides,
});

/**
 * The content of an account notice of `kind` (no code), with `overrides` applied. Its link is distinctive so a test
 * can find it in a payload or a log, and it expires far enough ahead that a channel bounding provider retries by
 * `expiresAt` sends it.
 * @public
 */
export const sampleAccountNoticeContext = (
  kind: AccountNoticeContext['kind'] = 'enrolment_link',
  overrides: Partial<AccountNoticeContext> = {},
): AccountNoticeContext => {
  const at = Date.now();
  const common = { mspName: 'Northwind IT', at };
  return kind === 'enrolment_link'
    ? {
        kind,
        ...common,
        link: 'https://selfserve.example/enrol#t=q7Vx2LmN8pR4sT6wZ3',
        deviceLabel: null,
        expiresInMinutes: 15,
        expiresAt: at + 15 * 60_000,
        ...overrides,
      }
    : kind === 'phone_changed'
      ? {
          kind,
          ...common,
          link: null,
          deviceLabel: null,
          expiresInMinutes: null,
          expiresAt: at + 60 * 60_000,
          ...overrides,
        }
      : {
          kind,
          ...common,
          link: 'https://selfserve.example/devices',
          deviceLabel: 'Chrome on Android',
          expiresInMinutes: null,
          expiresAt: at + 60 * 60_000,
          ...overrides,
        };
};

/**
 * An SMS carrying an account notice of `kind` in core's wording, with `overrides` applied (give `text` too when you
 * override `context`). Its session id is the notice's id, `notice-conformance-<kind>`.
 * @public
 */
export const sampleAccountNoticeSms = (
  kind: AccountNoticeContext['kind'] = 'enrolment_link',
  overrides: Partial<SmsMessage> = {},
): SmsMessage => {
  const context = sampleAccountNoticeContext(kind);
  return {
    route: 'sms',
    tenantId: 'tenant-conformance',
    to: '+15550100001',
    text: accountNoticeSms(context),
    sessionId: `notice-conformance-${kind}`,
    context,
    ...overrides,
  };
};

/**
 * An email carrying an account notice of `kind` in core's wording, with `overrides` applied (give `subject`, `text`
 * and `html` too when you override `context`). Its session id is the notice's id, `notice-conformance-<kind>`.
 * @public
 */
export const sampleAccountNoticeEmail = (
  kind: AccountNoticeContext['kind'] = 'enrolment_link',
  overrides: Partial<EmailMessage> = {},
): EmailMessage => {
  const context = sampleAccountNoticeContext(kind);
  return {
    route: 'email',
    tenantId: 'tenant-conformance',
    to: 'jo.user@contoso.example',
    ...accountNoticeEmail(context),
    sessionId: `notice-conformance-${kind}`,
    context,
    ...overrides,
  };
};

/**
 * The account notice of `kind` sent where `message` goes (same route, tenant and address), or `null` for a push,
 * which never carries one. @internal
 */
export const accountNoticeLike = (
  message: OutboundMessage,
  kind: AccountNoticeContext['kind'],
): SmsMessage | EmailMessage | null => {
  const where = { tenantId: message.tenantId };
  if (message.route === 'sms') return sampleAccountNoticeSms(kind, { ...where, to: message.to });
  if (message.route === 'email') return sampleAccountNoticeEmail(kind, { ...where, to: message.to });
  return null;
};

/** A registered iOS device reached by push. @public */
export const sampleDevice = (id = 'dev-conformance', pushAddress = `apns-token-${id}`): Device => ({
  id,
  platform: 'ios',
  pushAddress,
  notificationPermission: 'granted',
});

/** A push challenge (no code), with `overrides` applied. @public */
export const samplePushMessage = (overrides: Partial<PushMessage> = {}): PushMessage => ({
  route: 'push',
  tenantId: 'tenant-conformance',
  device: sampleDevice(),
  challengeId: 'sess_conformance_push',
  title: 'Verify it is you',
  body: 'Dana Reyes (ticket T20260101.0042, Contoso Dental) asks you to confirm.',
  ttlSeconds: 60,
  display: {
    technicianName: 'Dana Reyes',
    ticketNumber: 'T20260101.0042',
    companyName: 'Contoso Dental',
    method: 'push',
  },
  ...overrides,
});

/** A valid message of another route than `route`: what a channel of `route` must refuse. @internal */
export const messageOfAnotherRoute = (route: Route): OutboundMessage =>
  route === 'sms' ? sampleEmailMessage() : sampleSmsMessage();

/** What a device receives of a push: the challenge and its display text (never the push address). @internal */
export const pushPayload = (message: PushMessage): string =>
  JSON.stringify({
    challengeId: message.challengeId,
    title: message.title,
    body: message.body,
    display: message.display,
  });
