import { z } from 'zod';
import { fieldIssues, InputError } from '../errors.js';
import { text } from '../internal/text.js';
import type { AuditActor } from '../ports/audit-log.js';
import { METHODS, type Method } from '../types.js';
import { WEAKER_CHOICES, type WeakerChoice } from './policy.js';
import { systemActor, technicianActor } from './runtime.js';

const tenantId = text(128);
const actorSchema = z
  .object({
    tenantId,
    technicianId: text(128),
    technicianName: text(100),
    technicianEmail: z.email('must be an email address').max(254).optional(),
    role: z.enum(['technician', 'admin']).optional(),
  })
  .strict();
const key = z
  .string()
  .min(8, 'must be at least 8 characters (a UUID per request)')
  .max(100)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'must be letters, digits, _ . : or -');
const startOptions = {
  idempotencyKey: key.optional(),
  ifActive: z.enum(['resume', 'supersede']).optional(),
  override: z
    .object({ reason: text(300).min(10, 'say why (at least 10 characters)') })
    .strict()
    .optional(),
};
const reason = text(300).min(5, 'say why (at least 5 characters)');
const sessionIdSchema = z
  .string()
  .max(100, 'must be at most 100 characters')
  .regex(/^[A-Za-z0-9_-]+$/, 'must be a session id as returned by start (letters, digits, _ and -)');
const methodSchema = z.enum(METHODS as [Method, ...Method[]], {
  error: `must be one of ${METHODS.join(', ')}`,
});
const device = { tenantId, sessionId: sessionIdSchema, token: z.string().min(1).max(200) };

/** The input schema of every verifier operation. @internal */
export const schemas = {
  ticket: z.object({ actor: actorSchema, ticketId: text(64) }).strict(),
  startTicket: z.object({ actor: actorSchema, ticketId: text(64), ...startOptions }).strict(),
  contact: z
    .object({ actor: actorSchema, contactId: text(64), ticketId: text(64).optional(), ...startOptions })
    .strict(),
  endUser: z
    .object({
      actor: actorSchema,
      endUserId: text(128).optional(),
      email: z.email('must be an email address').max(254).optional(),
      ticketId: text(64).optional(),
      ...startOptions,
    })
    .strict()
    .refine((v) => (v.endUserId === undefined) !== (v.email === undefined), {
      message: 'give exactly one of endUserId or email',
      path: ['endUserId'],
    }),
  session: z.object({ actor: actorSchema, sessionId: sessionIdSchema }).strict(),
  send: z
    .object({
      actor: actorSchema,
      sessionId: sessionIdSchema,
      method: methodSchema,
      codeMode: z.enum(['verify', 'compare']).optional(),
      idempotencyKey: key.optional(),
    })
    .strict(),
  reverse: z
    .object({
      actor: actorSchema,
      endUserId: text(128).optional(),
      email: z.email('must be an email address').max(254).optional(),
      ticketId: text(64).optional(),
      idempotencyKey: key.optional(),
    })
    .strict()
    .refine((v) => (v.endUserId === undefined) !== (v.email === undefined), {
      message: 'give exactly one of endUserId or email',
      path: ['endUserId'],
    }),
  takeOver: z.object({ actor: actorSchema, sessionId: sessionIdSchema, reason }).strict(),
  unlock: z.object({ actor: actorSchema, endUserId: text(128), reason }).strict(),
  getPolicy: z.object({ actor: actorSchema, customerId: text(128).nullable().optional() }).strict(),
  setPolicy: z
    .object({
      actor: actorSchema,
      customerId: text(128).nullable(),
      settings: z.record(z.string(), z.unknown()),
      accept: z
        .array(
          z
            .object({
              choice: z.enum(WEAKER_CHOICES as [WeakerChoice, ...WeakerChoice[]]),
              reason: text(500).min(10, 'say why the customer accepts the risk (at least 10 characters)'),
            })
            .strict(),
        )
        .max(4)
        .optional(),
      expectedVersion: z.number().int().nonnegative().optional(),
    })
    .strict(),
  sweep: z.object({ limit: z.number().int().min(1).max(10_000).optional() }).strict(),
  requireVerified: z
    .object({
      tenantId,
      endUserId: text(128),
      ticketId: text(64),
      action: z
        .string()
        .regex(/^[a-z][a-z0-9_.-]{0,63}$/, 'must be a short lowercase name such as reset_password'),
      within: z
        .number()
        .int()
        .min(1000)
        .max(60 * 60_000)
        .optional(),
      technicianId: text(128).optional(),
      ttlMs: z
        .number()
        .int()
        .min(10_000)
        .max(15 * 60_000)
        .optional(),
    })
    .strict(),
  verifyGrant: z
    .object({
      grant: z.string().min(1).max(4000),
      action: z.string().min(1).max(64),
      endUserId: text(128).optional(),
      ticketId: text(64).optional(),
      tenantId: tenantId.optional(),
    })
    .strict(),
  checkCode: z.object({ actor: actorSchema, sessionId: sessionIdSchema, code: z.string().max(64) }).strict(),
  deviceAnswer: z.discriminatedUnion('answer', [
    z.object({ ...device, answer: z.literal('approve') }).strict(),
    z.object({ ...device, answer: z.literal('deny') }).strict(),
    z.object({ ...device, answer: z.literal('number'), number: z.string().max(64) }).strict(),
  ]),
  pending: z.object({ tenantId, endUserId: text(128) }).strict(),
  challengeState: z.object({ tenantId, endUserId: text(128), sessionId: sessionIdSchema }).strict(),
  availableMethods: z.object({ actor: actorSchema, endUserId: text(128) }).strict(),
  report: z
    .object({
      tenantId,
      sessionId: sessionIdSchema,
      route: z.enum(['sms', 'email', 'push']),
      provider: text(64),
      providerMessageId: text(200),
      status: z.enum(['sent', 'delivered', 'undelivered', 'failed']),
      permanent: z.boolean(),
      reason: z.string().max(500).optional(),
      providerCode: z.string().max(64).optional(),
    })
    .strict(),
};

/** Parses `input` or throws an {@link InputError} naming every bad field; nothing is changed. @internal */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, operation: string): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw InputError.fromIssues(operation, fieldIssues(result.error));
}

/**
 * Who an input says is acting, to audit a refused operation: the technician of a valid `actor`; the device of a
 * device answer naming a valid tenant; or QDesk itself for a reset tool's gate call (a valid tenant and an `action`),
 * with the action and ticket asked about. `null` when the input names no tenant. @internal
 */
export function whoActed(
  input: unknown,
): { tenantId: string; actor: AuditActor; detail?: Record<string, string> } | null {
  const fields = (input ?? {}) as {
    actor?: unknown;
    tenantId?: unknown;
    token?: unknown;
    action?: unknown;
    ticketId?: unknown;
  };
  const actor = actorSchema.safeParse(fields.actor);
  if (actor.success) return { tenantId: actor.data.tenantId, actor: technicianActor(actor.data) };
  const tenant = tenantId.safeParse(fields.tenantId);
  if (!tenant.success) return null;
  if (fields.token !== undefined) return { tenantId: tenant.data, actor: { type: 'device', id: 'device' } };
  if (typeof fields.action !== 'string') return null;
  const detail: Record<string, string> = { action: fields.action.slice(0, 64) };
  if (typeof fields.ticketId === 'string') detail.ticketId = fields.ticketId.slice(0, 64);
  return { tenantId: tenant.data, actor: systemActor, detail };
}

/** Checks a code typed by a technician or a device: exactly `length` digits (spaces and dashes allowed between). @internal */
export function parseDigits(value: string, length: number, what: string): string {
  const digits = value.replace(/[\s-]/g, '');
  if (!/^\d+$/.test(digits)) {
    throw new InputError(
      `The ${what} must contain digits only; check what the caller read and type it again.`,
      {
        issues: [{ path: what, message: 'digits only' }],
      },
    );
  }
  if (digits.length !== length) {
    throw new InputError(`The ${what} must have exactly ${length} digits; you typed ${digits.length}.`, {
      issues: [{ path: what, message: `exactly ${length} digits` }],
    });
  }
  return digits;
}
