import { assign, setup } from 'xstate';

/**
 * The same chart as `transition` (the code-verification part and the push part), written for XState v5 the way a
 * user would: context for attempts and digests, guards for proof and limits, and effects as actions.
 */
export type XEvent =
  | { type: 'code_sent'; now: number; codeHash: string; expiresAt: number }
  | { type: 'push_sent'; now: number; expiresAt: number }
  | { type: 'code_submitted'; now: number; codeHash: string }
  | { type: 'device_approved'; now: number }
  | { type: 'device_denied'; now: number }
  | { type: 'technician_denied'; now: number }
  | { type: 'cancelled'; now: number };

interface Ctx {
  attempts: number;
  maxAttempts: number;
  codeHash: string | null;
  expiresAt: number;
  version: number;
  updatedAt: number;
}

const sameDigest = (a: string, b: string) => {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
};

export const xstateChart = setup({
  types: { context: {} as Ctx, events: {} as XEvent },
  guards: {
    expired: ({ context, event }) => event.now >= context.expiresAt,
    rightCode: ({ context, event }) =>
      event.type === 'code_submitted' &&
      context.codeHash !== null &&
      sameDigest(event.codeHash, context.codeHash),
    lastAttempt: ({ context }) => context.attempts + 1 >= context.maxAttempts,
  },
  actions: {
    emit: () => undefined,
    bump: assign({ version: ({ context }) => context.version + 1, updatedAt: ({ event }) => event.now }),
  },
}).createMachine({
  id: 'verification',
  initial: 'idle',
  context: {
    attempts: 0,
    maxAttempts: 5,
    codeHash: null,
    expiresAt: Number.MAX_SAFE_INTEGER,
    version: 1,
    updatedAt: 0,
  },
  on: {
    technician_denied: { target: '.denied', actions: ['bump', 'emit'] },
    cancelled: { target: '.cancelled', actions: ['bump', 'emit'] },
  },
  states: {
    idle: {
      on: {
        code_sent: {
          target: 'sent',
          actions: [
            assign({ codeHash: ({ event }) => event.codeHash, expiresAt: ({ event }) => event.expiresAt }),
            'bump',
            'emit',
          ],
        },
        push_sent: {
          target: 'awaiting_push',
          actions: [assign({ expiresAt: ({ event }) => event.expiresAt }), 'bump', 'emit'],
        },
      },
    },
    sent: {
      on: {
        code_submitted: [
          { guard: 'expired', target: 'expired', actions: ['bump', 'emit'] },
          {
            guard: 'rightCode',
            target: 'approved',
            actions: [assign({ attempts: ({ context }) => context.attempts + 1 }), 'bump', 'emit', 'emit'],
          },
          {
            guard: 'lastAttempt',
            target: 'denied',
            actions: [assign({ attempts: ({ context }) => context.attempts + 1 }), 'bump', 'emit', 'emit'],
          },
          { actions: [assign({ attempts: ({ context }) => context.attempts + 1 }), 'bump', 'emit'] },
        ],
      },
    },
    awaiting_push: {
      on: {
        device_approved: [
          { guard: 'expired', target: 'expired', actions: ['bump', 'emit'] },
          { target: 'approved', actions: ['bump', 'emit', 'emit'] },
        ],
        device_denied: { target: 'denied', actions: ['bump', 'emit', 'emit'] },
      },
    },
    approved: { type: 'final' },
    denied: { type: 'final' },
    expired: { type: 'final' },
    cancelled: { type: 'final' },
  },
});
