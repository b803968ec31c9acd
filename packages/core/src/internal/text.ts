import { z } from 'zod';

/**
 * Printable text without control characters, trimmed, 1 to `max` characters: ids, names and reasons travel into
 * logs, audit records, notes and HTML. @internal
 */
export const text = (max: number) =>
  z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .regex(/^[^\p{Cc}]*$/u, 'must not contain control characters');
