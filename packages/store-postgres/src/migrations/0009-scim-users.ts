import type { Migration } from './index.js';

// The users identity providers push over SCIM (@qdesk/directory's ScimUserStore), per tenant and customer. The
// userName is unique per customer without regard to case: a unique index on its lower case decides between racing
// creates. `data` is the SCIM user as the handler keeps it; `version` is `meta.version`.
export const scimUsersMigration: Migration = {
  name: '0009-scim-users',
  statements: [
    `CREATE TABLE qdesk_scim_users (
      tenant_id text NOT NULL,
      customer_id text NOT NULL,
      id text NOT NULL,
      user_name_key text NOT NULL,
      external_id text,
      data jsonb NOT NULL,
      created bigint NOT NULL,
      last_modified bigint NOT NULL,
      version integer NOT NULL CHECK (version >= 1),
      PRIMARY KEY (tenant_id, customer_id, id),
      UNIQUE (tenant_id, customer_id, user_name_key)
    )`,
    'CREATE INDEX qdesk_scim_users_external_id ON qdesk_scim_users (tenant_id, customer_id, external_id)',
  ],
};
