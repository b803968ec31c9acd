import { z } from 'zod';

// Input shapes the API routes share. Every body is parsed with zod: a malformed one is a 400 naming the field.

/** A session, device or end-user id as the app hands them out: no path tricks, no markup. */
export const id = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only');

/** A PSA ticket id (Autotask's are numeric). */
export const ticketId = z.string().trim().min(1).max(32).regex(/^\d+$/, 'a numeric ticket id');

/** A key the page makes up per click (a UUID), so a repeated request does nothing twice. */
export const idempotencyKey = z
  .string()
  .min(8)
  .max(100)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits, _ . : and - only (a UUID per click)');

/** A reason a person types for the record (take-over, unlock, override). */
export const reason = (min: number, max = 300) =>
  z
    .string()
    .trim()
    .min(min, `say why (at least ${min} characters)`)
    .max(max)
    .regex(/^[^\p{Cc}]*$/u, 'must not contain control characters');

/** Parses a request body; a body that is not JSON reads as missing, so the schema names what is wrong. */
export async function readBody<S extends z.ZodType>(
  schema: S,
  read: () => Promise<unknown>,
): Promise<z.output<S>> {
  let raw: unknown;
  try {
    raw = await read();
  } catch {
    raw = undefined;
  }
  return schema.parse(raw);
}
