import type { DeliveryResult, Device } from '@qdesk/core';
import type {
  CodeMessageContext,
  EmailMessage,
  PushMessage,
  SmsMessage,
} from '../internal/expect-message.js';
import type { FailureScope } from '../internal/results.js';

/** Test fixtures shared by the channel suites (not part of the published package). */
export const tenantId = 'msp-contoso';

export const context: CodeMessageContext = {
  code: '482913',
  technicianName: 'Dana Reyes',
  ticketNumber: 'T20260101.0042',
  companyName: 'Contoso Dental',
  expiresInMinutes: 10,
};

export function smsMessage(overrides: Partial<SmsMessage> = {}): SmsMessage {
  return {
    route: 'sms',
    tenantId,
    to: '+15005550006',
    text: `QDesk code ${context.code}. Only read it to ${context.technicianName}.`,
    sessionId: 'sess_sms_1',
    context,
    ...overrides,
  };
}

export function emailMessage(overrides: Partial<EmailMessage> = {}): EmailMessage {
  return {
    route: 'email',
    tenantId,
    to: 'jo.user@contoso.example',
    subject: 'Your QDesk verification code',
    text: `Your code is ${context.code}. Only read it to ${context.technicianName}.`,
    html: `<p>Your code is <b>${context.code}</b>. Only read it to ${context.technicianName}.</p>`,
    sessionId: 'sess_email_1',
    context,
    ...overrides,
  };
}

export function device(platform: Device['platform'], pushAddress: string, id = `dev_${platform}`): Device {
  return { id, platform, pushAddress, notificationPermission: 'granted' };
}

export function pushMessage(target: Device, overrides: Partial<PushMessage> = {}): PushMessage {
  return {
    route: 'push',
    tenantId,
    device: target,
    challengeId: 'sess_push_7f3a',
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
  };
}

/** The scope a permanent failure names (`undefined` for any other result). */
export const scopeOf = (result: DeliveryResult): FailureScope | undefined =>
  result.status === 'permanent_failure' ? result.scope : undefined;
