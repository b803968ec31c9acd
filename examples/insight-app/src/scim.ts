import { createHash, timingSafeEqual } from 'node:crypto';
import {
  createDirectoryWriter,
  createMemoryScimUserStore,
  createScimHandler,
  type DirectoryWriter,
  type ScimUserStore,
} from '@qdesk/directory';
import { createPostgresScimUserStore } from '@qdesk/store-postgres/scim';
import type { Hono } from 'hono';
import { z } from 'zod';
import type { AppServices } from './compose.js';
import { type AppEnv, readConfigFile } from './config.js';

// SCIM 2.0 provisioning: a customer's identity provider (Microsoft Entra ID, Okta) pushes its users to
// <PUBLIC_URL>/scim/v2/<customerId> with that customer's bearer token. What it pushes goes to the end-user directory
// with SCIM as the source of each contact point, audited; SCIM's own view of the users (ids, versions) is kept in
// the database, so a restart loses nothing.

const entry = z
  .object({
    customerId: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9_.-]{1,128}$/, 'must be a customer id'),
    /** The SHA-256 (hex) of the bearer token given to the identity provider: the token itself is never stored. */
    tokenSha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be the SHA-256 of the token, 64 hex digits'),
    /** Where numbers without a country code are read (ISO 3166, such as US). */
    defaultRegion: z.string().regex(/^[A-Z]{2}$/, 'must be a two-letter country code such as US'),
  })
  .strict();
const scimFile = z
  .array(entry)
  .refine((list) => new Set(list.map((e) => e.customerId)).size === list.length, 'lists a customer twice');

/** The SCIM customers of QDESK_SCIM_FILE, validated; a bad file fails start with the fix. */
export function scimCustomers(env: Pick<AppEnv, 'QDESK_SCIM_FILE'>): z.infer<typeof scimFile> {
  if (!env.QDESK_SCIM_FILE) return [];
  return readConfigFile(
    'QDESK_SCIM_FILE',
    env.QDESK_SCIM_FILE,
    scimFile,
    'a JSON list of {customerId, tokenSha256, defaultRegion}',
  );
}

const digest = (token: string) => createHash('sha256').update(token).digest();

/** Mounts `/scim/v2/:customerId/*` when QDESK_SCIM_FILE names customers. */
export function registerScim(app: Hono, services: AppServices, env: AppEnv) {
  const customers = scimCustomers(env);
  if (customers.length === 0) return;
  const byCustomer = new Map(customers.map((c) => [c.customerId, c]));
  const writers = new Map<string, DirectoryWriter>();
  const writerFor = (customerId: string) => {
    let writer = writers.get(customerId);
    if (!writer) {
      writer = createDirectoryWriter({
        directory: services.stores.directory,
        tenantId: services.tenantId,
        customerId,
        defaultRegion: byCustomer.get(customerId)!.defaultRegion,
        audit: services.audit,
        clock: services.clock,
        sourceKind: 'scim',
      });
      writers.set(customerId, writer);
    }
    return writer;
  };
  const store: ScimUserStore = services.stores.database
    ? createPostgresScimUserStore(services.stores.database, { tenantId: services.tenantId })
    : createMemoryScimUserStore();
  const handle = createScimHandler({
    store,
    basePath: '/scim/v2/:customerId',
    ...(env.PUBLIC_URL ? { publicOrigin: new URL(env.PUBLIC_URL).origin } : {}),
    // Constant time: the token's digest against the customer's stored one.
    authenticate: (token, { customerId }) => {
      const customer = customerId ? byCustomer.get(customerId) : undefined;
      if (!customer) return null;
      return timingSafeEqual(digest(token), Buffer.from(customer.tokenSha256, 'hex'))
        ? customer.customerId
        : null;
    },
    onChange: (customerId, change) => writerFor(customerId).apply(change),
  });
  app.all('/scim/v2/:customerId/*', (c) => handle(c.req.raw));
}
