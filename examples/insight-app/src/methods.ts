import type { Method } from '@qdesk/core';

// How the app names methods and weaker choices, on the Insight and the admin page alike. The words follow the
// standards they come from: number match is what NIST SP 800-63B rev 4 calls a conforming push; SMS is a
// "restricted" authenticator (OWASP ASVS 5.0, 6.6.1); approve-only push and email codes do not conform and appear
// only where a customer's policy turned them on with a recorded risk acceptance.

export const METHOD_NAME: Readonly<Record<Method, string>> = {
  number_match: 'Number match',
  push_code: 'Push + code',
  sms: 'SMS code',
  push: 'Approve-only push',
  email: 'Email code',
};

/** Methods that are themselves a weaker choice (a policy turns them on only with a risk acceptance). */
export const WEAKER_METHODS: ReadonlySet<Method> = new Set<Method>(['push', 'email']);

/** What the technician reads next to the radio button. */
export function methodLabel(method: Method): string {
  if (method === 'sms') return 'SMS code (restricted)';
  if (WEAKER_METHODS.has(method)) return `${METHOD_NAME[method]} — weaker, accepted by policy`;
  return METHOD_NAME[method];
}

/** One line on what the method proves, shown under it. */
export const METHOD_HINT: Readonly<Record<Method, string>> = {
  number_match: 'Recommended: you read a number, the caller types it into their app.',
  push_code: 'After Approve in the app, the caller reads you a code.',
  sms: 'A restricted method (OWASP ASVS 6.6.1): use it when the app cannot be used.',
  push: 'Whoever holds the phone can tap Approve; NIST SP 800-63B rev 4 does not allow it.',
  email: 'NIST SP 800-63B rev 4 does not allow email codes out of band.',
};

/**
 * The Insight's Push choice, in the manual's words: one "Push" option with a "Send Verification Code" toggle, on for
 * push + code, off for an approve-only push. Off is offered only where the customer's policy accepts `push`.
 */
export const PUSH_CHOICE = {
  label: 'Push',
  toggle: 'Send Verification Code',
  /** Under the toggle when both are allowed. */
  hint: `On: after Approve in the app, the caller reads you a code. Off: ${methodLabel('push')}.`,
  /** Under the toggle when the policy has push + code only (and so it cannot be turned off). */
  lockedOn: "Always on: this customer's policy asks for a code after every Approve.",
  /** Under the toggle when the policy has approve-only push only. */
  lockedOff: "Off: this customer's policy has no push + code.",
} as const;

/**
 * One sentence the technician reads to the caller before SEND, for the route the request will really take (a push
 * method that falls back to a code reads as that code).
 */
export const SAY: Readonly<Record<Method, string>> = {
  number_match: 'I’m sending a request to your QDesk app now. When it appears, type the number I read you.',
  push_code:
    'I’m sending a request to your QDesk app now. Tap Approve when it appears, then read me the code it shows.',
  push: 'I’m sending a request to your QDesk app now. Tap Approve when it appears.',
  sms: 'I’m texting a code to your mobile phone now. Read it to me when it arrives.',
  email: 'I’m emailing you a code now. Read it to me when it arrives.',
};

/** What the SEND button says: the manual's SEND VERIFICATION for a request to the app, SEND CODE for a code. */
export const sendLabel = (route: Method): string =>
  route === 'sms' || route === 'email' ? 'SEND CODE' : 'SEND VERIFICATION';
