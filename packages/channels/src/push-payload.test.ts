import { describe, expect, it } from 'vitest';
import { buildPushPayload, flattenPushPayload } from './push-payload.js';
import { device, pushMessage } from './test-support/messages.js';

describe('buildPushPayload', () => {
  it('copies the challenge id and display text only', () => {
    const message = pushMessage(device('web', '{}'));
    // A field the message might grow later must not reach the device.
    const payload = buildPushPayload({ ...message, secret: 'x' } as typeof message);
    expect(payload).toEqual({
      type: 'qdesk.challenge',
      challengeId: message.challengeId,
      title: message.title,
      body: message.body,
      display: message.display,
    });
    expect(JSON.stringify(payload)).not.toMatch(/secret|pushAddress|"(code|token)"/);
  });

  it('flattens to strings, leaving out absent ticket and company', () => {
    const message = pushMessage(device('android', 't'), {
      display: { technicianName: 'Dana', ticketNumber: null, companyName: null, method: 'number_match' },
    });
    expect(flattenPushPayload(buildPushPayload(message))).toEqual({
      type: 'qdesk.challenge',
      challengeId: message.challengeId,
      title: message.title,
      body: message.body,
      technicianName: 'Dana',
      method: 'number_match',
    });
  });
});
