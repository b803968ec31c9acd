import { z } from 'zod';
import type { TestIdpClient, TestIdpOptions, TestIdpUser } from './test-idp.js';

/** Options the test identity provider cannot serve, or a port it cannot listen on. The message names the field. */
export class TestIdpError extends Error {
  override readonly name = 'TestIdpError';
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

function isAllowedRedirect(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.hash || value.includes('#')) return false;
  return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname));
}

const redirectUri = z
  .string()
  .refine(
    isAllowedRedirect,
    'must be an https URL, or an http URL on 127.0.0.1, localhost or [::1], with no fragment',
  );

const client = z.object({
  clientId: z.string().min(1),
  clientSecret: z.string().min(1, 'must not be empty (every client is confidential)'),
  redirectUris: z.array(redirectUri).min(1, 'must list at least one redirect URI'),
  postLogoutRedirectUris: z.array(redirectUri).optional(),
});

const user = z.object({
  sub: z.string().min(1),
  email: z.email(),
  name: z.string().min(1),
  groups: z.array(z.string()).optional(),
  roles: z.array(z.string()).optional(),
});

const schema = z
  .object({
    clients: z.array(client).min(1, 'must list at least one client'),
    users: z.array(user).min(1, 'must list at least one user'),
    port: z.number().int().min(0).max(65535).default(0),
    host: z.literal('127.0.0.1', 'must be 127.0.0.1: the test IdP listens on loopback only').optional(),
  })
  .superRefine((options, ctx) => {
    const taken = (values: string[], field: (index: number) => (string | number)[], message = 'is taken') => {
      for (const index of duplicates(values)) ctx.addIssue({ code: 'custom', path: field(index), message });
    };
    taken(
      options.clients.map((c) => c.clientId),
      (i) => ['clients', i, 'clientId'],
    );
    taken(
      options.users.map((u) => u.sub),
      (i) => ['users', i, 'sub'],
    );
    taken(
      options.users.map((u) => u.email.toLowerCase()),
      (i) => ['users', i, 'email'],
      'is taken (emails are compared without case: the sign-in page finds users by them)',
    );
  });

/** Indexes of the entries that repeat an earlier one. */
function duplicates(values: readonly string[]): number[] {
  const seen = new Set<string>();
  const repeated: number[] = [];
  for (const [index, value] of values.entries()) {
    if (seen.has(value)) repeated.push(index);
    seen.add(value);
  }
  return repeated;
}

/**
 * Checks {@link TestIdpOptions}; throws {@link TestIdpError} listing the problems found, each with its field (never a
 * value, so no secret). Clashing ids and emails are checked once the fields themselves are valid.
 */
export function parseTestIdpOptions(options: TestIdpOptions): {
  clients: TestIdpClient[];
  users: TestIdpUser[];
  port: number;
} {
  const parsed = schema.safeParse(options);
  if (!parsed.success) {
    throw new TestIdpError(
      `startTestIdp: the options are invalid; fix these and start it again:\n${z.prettifyError(parsed.error)}`,
    );
  }
  return parsed.data;
}
