import type { Device } from '@qdesk/core';
import type { DeliveryResult } from '@qdesk/core/ports';
import {
  sampleCodeContext,
  sampleEmailMessage,
  samplePushMessage,
  sampleSmsMessage,
} from '@qdesk/core/testing';
import type {
  CodeMessageContext,
  EmailMessage,
  PushMessage,
  SmsMessage,
} from '../internal/expect-message.js';
import type { FailureScope } from '../internal/results.js';

/** Test fixtures shared by the channel suites (not part of the published package). */
export const tenantId = 'msp-contoso';

export const context: CodeMessageContext = sampleCodeContext();

export const smsMessage = (overrides: Partial<SmsMessage> = {}): SmsMessage =>
  sampleSmsMessage({ tenantId, to: '+15005550006', sessionId: 'sess_sms_1', ...overrides });

export const emailMessage = (overrides: Partial<EmailMessage> = {}): EmailMessage =>
  sampleEmailMessage({ tenantId, sessionId: 'sess_email_1', ...overrides });

export function device(platform: Device['platform'], pushAddress: string, id = `dev_${platform}`): Device {
  return { id, platform, pushAddress, notificationPermission: 'granted' };
}

export const pushMessage = (target: Device, overrides: Partial<PushMessage> = {}): PushMessage =>
  samplePushMessage({ tenantId, device: target, challengeId: 'sess_push_7f3a', ...overrides });

/** The scope a permanent failure names (`undefined` for any other result). */
export const scopeOf = (result: DeliveryResult): FailureScope | undefined =>
  result.status === 'permanent_failure' ? result.scope : undefined;
