import type { ConnectionOptions } from 'node:tls';
import { ConfigError } from '@qdesk/core';
import { fieldIssues } from '@qdesk/core/ports';
import { FilterParser } from 'ldapts';
import { z } from 'zod';
import { AD_ATTRIBUTE_NAMES, type LdapAttributeNames } from './ldap-entry.js';

/**
 * Active Directory's filter for people: user objects of category person (computers are users too, of category
 * computer; contacts are not users). The default `filter`.
 * @public
 */
export const AD_USER_FILTER = '(&(objectClass=user)(objectCategory=person))';

/** What was skipped while reading, and why (for the sync's summary). @public */
export interface LdapSkippedEntry {
  /** The entry's DN. */
  dn: string;
  /** Why it was not reported ("it has no objectGUID"...). */
  reason: string;
}

/** Configuration of `createLdapSource`. Only `url`, `bindDN`, `password` and `baseDN` are required. @public */
export interface LdapSourceConfig {
  /**
   * The server: `ldaps://dc1.corp.example` (LDAPS, port 636 by default) or `ldap://dc1.corp.example` (port 389)
   * with `startTls: true`; protocol, host and port only. Name one domain controller: Active Directory does not
   * replicate `whenChanged`, so incremental reads must keep asking the same one (a cursor from another url is
   * refused).
   */
  url: string;
  /** DN (or, on Active Directory, `user@corp.example`) of a read-only account that may read the user objects. */
  bindDN: string;
  /** The bind account's password. Never logged, never in an error. */
  password: string;
  /** Where people are searched, with the whole subtree below (`DC=corp,DC=example`, `OU=Staff,DC=corp,DC=example`). */
  baseDN: string;
  /** An RFC 4515 filter selecting people (default {@link AD_USER_FILTER}). */
  filter?: string;
  /** Upgrade an `ldap://` connection with StartTLS before binding (default `false`). */
  startTls?: boolean;
  /**
   * TLS options for LDAPS and StartTLS (Node's `tls.connect` options): `ca` with the PEM of the CA that issued the
   * server's certificate (an internal AD CS, for instance), `servername`, `minVersion`... `rejectUnauthorized: false`
   * is refused: it would send the password to whoever answers.
   */
  tlsOptions?: ConnectionOptions;
  /**
   * Bind over `ldap://` without StartTLS to a host that is not loopback, sending the password in clear (default
   * `false`, which refuses such a configuration).
   */
  allowUnencrypted?: boolean;
  /** Entries per page, 1 to 5,000 (default 500; Active Directory caps pages at its MaxPageSize, 1,000 by default). */
  pageSize?: number;
  /** Longest wait for the connection and for each LDAP request, in ms (default 30,000). */
  timeoutMs?: number;
  /** Attribute names, where they differ from Active Directory's ({@link AD_ATTRIBUTE_NAMES}). */
  attributes?: Partial<LdapAttributeNames>;
  /**
   * How the id attribute's value becomes `externalId`: `guid` reads 16 bytes as an AD GUID string
   * (`objectGUID`), `text` takes the value as it is (`entryUUID`). Default `guid` when the id attribute is
   * `objectGUID`, `text` otherwise.
   */
  idFormat?: 'guid' | 'text';
  /** How far this host's clock may be from the server's, in ms (default 600,000): see `createLdapSource`. */
  clockSkewMs?: number;
  /** How many times a lost connection, a timeout or a busy server is retried within one read (default 2). */
  retries?: number;
  /** Wait before the first retry, in ms, doubling after each (default 1,000). */
  retryDelayMs?: number;
  /** The clock, in epoch ms (default `Date.now`). */
  now?: () => number;
  /** Told about each entry the search returned that could not be reported (no usable id). */
  onEntrySkipped?: (entry: LdapSkippedEntry) => void;
}

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

const fn = <T>(what: string) =>
  z.custom<T>((value) => typeof value === 'function', { error: `expected ${what} (a function)` });

const attributeName = z.string().regex(/^[A-Za-z][A-Za-z0-9-]*$/, 'expected an LDAP attribute name');

function filterProblem(filter: string): string | null {
  if (!filter.startsWith('(') || !filter.endsWith(')'))
    return 'expected a filter in parentheses, like (objectClass=user)';
  let depth = 0;
  for (let i = 0; i < filter.length; i += 1) {
    const c = filter[i];
    if (c === '\\')
      i += 2; // an escaped character, \28 for "("
    else if (c === '(') depth += 1;
    else if (c === ')' && --depth < 0) break;
    if (depth === 0 && i < filter.length - 1) return 'expected one filter: wrap several in (&...)';
  }
  if (depth !== 0) return 'the parentheses do not balance';
  try {
    FilterParser.parseString(filter);
    return null;
  } catch (error) {
    return `not an RFC 4515 filter (${error instanceof Error ? error.message : String(error)})`;
  }
}

const schema = z
  .strictObject({
    url: z.string().refine((value) => {
      try {
        const url = new URL(value);
        return (
          (url.protocol === 'ldap:' || url.protocol === 'ldaps:') &&
          url.hostname !== '' &&
          !url.username &&
          !url.password &&
          (url.pathname === '' || url.pathname === '/') &&
          !url.search
        );
      } catch {
        return false;
      }
    }, 'expected ldaps://host[:port] or ldap://host[:port], with no path, query or credentials'),
    bindDN: z.string().trim().min(1, 'expected the DN of the bind account'),
    password: z.string().min(1, 'expected the bind account password'),
    baseDN: z.string().trim().min(1, 'expected the DN to search under'),
    filter: z
      .string()
      .trim()
      .default(AD_USER_FILTER)
      .superRefine((value, ctx) => {
        const problem = filterProblem(value);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      }),
    startTls: z.boolean().default(false),
    tlsOptions: z
      .custom<ConnectionOptions>((value) => typeof value === 'object' && value !== null, {
        error: 'expected Node TLS options (an object)',
      })
      .refine((value) => value.rejectUnauthorized !== false, {
        error:
          'rejectUnauthorized: false would send the password to any server that answers; give the CA that issued the server certificate in ca instead',
      })
      .optional(),
    allowUnencrypted: z.boolean().default(false),
    pageSize: z.number().int().min(1).max(5000).default(500),
    timeoutMs: z.number().int().positive().default(30_000),
    attributes: z
      .strictObject(
        Object.fromEntries(
          Object.keys(AD_ATTRIBUTE_NAMES).map((key) => [key, attributeName.optional()]),
        ) as Record<keyof LdapAttributeNames, z.ZodOptional<typeof attributeName>>,
      )
      .default({}),
    idFormat: z.enum(['guid', 'text']).optional(),
    clockSkewMs: z.number().int().nonnegative().default(600_000),
    retries: z.number().int().min(0).max(10).default(2),
    retryDelayMs: z.number().int().nonnegative().default(1000),
    now: fn<() => number>('a clock').optional(),
    onEntrySkipped: fn<(entry: LdapSkippedEntry) => void>('a callback').optional(),
  })
  .superRefine((value, ctx) => {
    const ldaps = value.url.toLowerCase().startsWith('ldaps:');
    if (ldaps && value.startTls) {
      ctx.addIssue({
        code: 'custom',
        path: ['startTls'],
        message: 'an ldaps:// url is encrypted already; StartTLS is for ldap:// urls',
      });
    }
    const host = URL.canParse(value.url) ? new URL(value.url).hostname : '';
    if (!ldaps && !value.startTls && !value.allowUnencrypted && !LOOPBACK.test(host)) {
      ctx.addIssue({
        code: 'custom',
        path: ['url'],
        message:
          'the password would cross the network in clear text; use ldaps://, or set startTls: true (or allowUnencrypted: true to accept the risk)',
      });
    }
  });

/** The configuration with every default applied. */
export type ResolvedLdapConfig = Omit<z.output<typeof schema>, 'attributes' | 'idFormat'> & {
  attributes: LdapAttributeNames;
  idFormat: 'guid' | 'text';
};

/**
 * Checks the configuration of `createLdapSource` and fills in the defaults.
 * @throws ConfigError naming each invalid field.
 */
export function resolveLdapConfig(config: LdapSourceConfig): ResolvedLdapConfig {
  const result = schema.safeParse(config);
  if (!result.success) throw ConfigError.fromIssues('LDAP source settings', fieldIssues(result.error));
  const attributes = { ...AD_ATTRIBUTE_NAMES };
  for (const [key, value] of Object.entries(result.data.attributes)) {
    if (value) attributes[key as keyof LdapAttributeNames] = value;
  }
  const idFormat = result.data.idFormat ?? (attributes.id.toLowerCase() === 'objectguid' ? 'guid' : 'text');
  return { ...result.data, url: result.data.url.replace(/\/$/, ''), attributes, idFormat };
}
