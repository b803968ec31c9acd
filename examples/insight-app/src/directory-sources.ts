import { readFileSync } from 'node:fs';
import { isQdeskError } from '@qdesk/core';
import { systemClock } from '@qdesk/core/memory';
import {
  createDirectoryWriter,
  createEntraSource,
  createLdapSource,
  type DirectorySource,
  type EntraFetch,
} from '@qdesk/directory';
import { z } from 'zod';
import { EnvError } from './config.js';

// Where each customer's end-users really live: the QDESK_DIRECTORY_SOURCES_FILE, one entry per customer, read and
// checked at start (every field, and each source's own settings), so a typo fails start naming the file, the entry
// and the field. Secrets (a client secret, a bind password) stay inside the source objects: nothing here logs them,
// and the admin page and API only ever see the settings of `DirectorySourceSettings`.

const VARIABLE = 'QDESK_DIRECTORY_SOURCES_FILE';

const entraSettings = z.strictObject({
  tenantId: z.string().trim().min(1, "expected the customer's Entra tenant id or a verified domain"),
  clientId: z.string().trim().min(1, "expected the app registration's application (client) id"),
  clientSecret: z.string().min(1, 'expected a client secret of the app registration'),
});
const ldapSettings = z.strictObject({
  url: z.string().trim().min(1, 'expected ldaps://host or ldap://host (with startTls)'),
  bindDN: z.string().trim().min(1, 'expected the DN (or user@domain) of a read-only account'),
  password: z.string().min(1, "expected the read-only account's password"),
  baseDN: z.string().trim().min(1, 'expected the DN to search under'),
  filter: z.string().trim().min(1).optional(),
  startTls: z.boolean().optional(),
  caFile: z.string().trim().min(1, 'expected the path of the PEM file of the CA').optional(),
});

const entrySchema = z
  .strictObject({
    customerId: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9_-]{1,128}$/, 'expected a QDesk customer id (letters, digits, _ and -)'),
    kind: z.enum(['entra', 'ldap']),
    defaultRegion: z
      .string()
      .trim()
      .regex(
        /^[A-Z]{2}$/,
        'expected the ISO 3166 country code numbers without one are read in (US, GB, DE...)',
      ),
    everyMinutes: z.number().int().min(5).max(1440).default(60),
    fullEveryHours: z.number().int().min(1).max(720).default(24),
    entra: entraSettings.optional(),
    ldap: ldapSettings.optional(),
  })
  .superRefine((entry, ctx) => {
    const other = entry.kind === 'entra' ? 'ldap' : 'entra';
    if (!entry[entry.kind])
      ctx.addIssue({ code: 'custom', path: [entry.kind], message: `expected the ${entry.kind} settings` });
    if (entry[other])
      ctx.addIssue({ code: 'custom', path: [other], message: `not used by a source of kind ${entry.kind}` });
  });

const fileSchema = z
  .array(entrySchema)
  .max(1000)
  .superRefine((entries, ctx) => {
    const seen = new Set<string>();
    entries.forEach((entry, i) => {
      if (seen.has(entry.customerId))
        ctx.addIssue({
          code: 'custom',
          path: [i, 'customerId'],
          message: `lists customer ${entry.customerId} again: give each customer one source`,
        });
      seen.add(entry.customerId);
    });
  });

/** A customer's source as the admin page and API show it: no secret. */
export interface DirectorySourceSettings {
  customerId: string;
  kind: 'entra' | 'ldap';
  /** Where numbers without a country code are read (ISO 3166 alpha-2). */
  defaultRegion: string;
  /** Minutes between runs (5 to 1,440). */
  everyMinutes: number;
  /** Hours between full reads, which notice removals an incremental read cannot (1 to 720). */
  fullEveryHours: number;
}

/** A customer's source, ready to read. */
export interface ConfiguredDirectorySource extends DirectorySourceSettings {
  source: DirectorySource;
  /** What the source read on without during its last run (Entra ID without the MFA methods permission...). */
  warnings: Set<string>;
}

/** Test seams: Microsoft Graph's `fetch` (a fake of Graph in tests). */
export interface DirectorySourceOptions {
  entraFetch?: EntraFetch;
}

const invalid = (file: string, detail: string) =>
  new EnvError(`Invalid configuration:\n  ${VARIABLE}: ${file}: ${detail}`);

/** The entry's place, for an error: `entry 2 (customer cust-northwind)`. */
const entryName = (index: number, raw: unknown) => {
  const id = (raw as { customerId?: unknown } | null)?.customerId;
  return `entry ${index}${typeof id === 'string' && id.length <= 128 ? ` (customer ${id})` : ''}`;
};

/**
 * Reads QDESK_DIRECTORY_SOURCES_FILE and opens each customer's source. Every problem is an `EnvError` naming the
 * file, the entry and the field, never a value (the file holds secrets).
 */
export function readDirectorySources(
  file: string,
  options: DirectorySourceOptions = {},
): ConfiguredDirectorySource[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw invalid(file, `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    // The parser's message quotes the text around the mistake, which may be a secret: only where it is.
    const at = /position (\d+)/.exec((error as Error).message)?.[1];
    throw invalid(file, `is not valid JSON${at ? ` (at character ${at})` : ''}`);
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const [index, ...field] = issue.path;
      if (typeof index !== 'number') return `must be a JSON list of sources (${issue.message})`;
      const where = entryName(index, (raw as unknown[])[index]);
      return `${where}: ${field.join('.') || '(the entry)'}: ${issue.message}`;
    });
    throw invalid(file, lines.join('\n    '));
  }
  return parsed.data.map((entry, index) => {
    try {
      return openSource(entry, options);
    } catch (error) {
      if (error instanceof EnvError) throw invalid(file, `${entryName(index, entry)}: ${error.message}`);
      if (isQdeskError(error) && error.code === 'config_invalid') {
        const issues = 'issues' in error ? (error.issues as { path: string; message: string }[]) : [];
        const prefix = (path: string) => (path === 'defaultRegion' ? path : `${entry.kind}.${path}`);
        const detail = issues.length
          ? issues.map((i) => `${prefix(i.path)}: ${i.message}`).join('; ')
          : error.message;
        throw invalid(file, `${entryName(index, entry)}: ${detail}`);
      }
      throw error;
    }
  });
}

function openSource(
  entry: z.output<typeof entrySchema>,
  options: DirectorySourceOptions,
): ConfiguredDirectorySource {
  const { customerId, kind, defaultRegion, everyMinutes, fullEveryHours } = entry;
  // The writer checks the region against libphonenumber's list (a ConfigError naming defaultRegion); it writes nothing.
  createDirectoryWriter({
    directory: {
      getById: async () => null,
      put: async () => undefined,
      remove: async () => false,
      list: async () => [],
    },
    tenantId: 'check',
    customerId,
    defaultRegion,
    audit: { append: async () => undefined },
    clock: systemClock,
    sourceKind: kind,
  });
  const warnings = new Set<string>();
  let source: DirectorySource;
  if (kind === 'entra') {
    const settings = entry.entra!;
    source = createEntraSource({
      ...settings,
      ...(options.entraFetch ? { fetch: options.entraFetch } : {}),
      onWarning: (warning) => warnings.add(warning.message),
    });
  } else {
    const { caFile, ...settings } = entry.ldap!;
    let ca: string | undefined;
    if (caFile) {
      try {
        ca = readFileSync(caFile, 'utf8');
      } catch (error) {
        throw new EnvError(
          `ldap.caFile: cannot read ${caFile} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
        );
      }
    }
    source = createLdapSource({ ...settings, ...(ca ? { tlsOptions: { ca } } : {}) });
  }
  return { customerId, kind, defaultRegion, everyMinutes, fullEveryHours, source, warnings };
}
