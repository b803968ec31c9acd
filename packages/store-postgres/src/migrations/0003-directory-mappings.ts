import type { Migration } from './index.js';

// The end-user directory and @qdesk/matching's mapping store. Every row is keyed by tenant first, so one tenant's
// reads never touch another's rows. Times are epoch milliseconds, as in core.
export const directoryMappingsMigration: Migration = {
  name: '0003-directory-mappings',
  statements: [
    `CREATE TABLE qdesk_end_users (
      tenant_id text NOT NULL,
      id text NOT NULL,
      email text NOT NULL,
      display_name text NOT NULL,
      mobile_phone text,
      customer_id text,
      PRIMARY KEY (tenant_id, id)
    )`,
    // Not unique: a directory may hold one email on several accounts; the lookup then answers none of them.
    'CREATE INDEX qdesk_end_users_email ON qdesk_end_users (tenant_id, lower(email))',
    // One row per device, so two devices enrolled at once are two inserts that cannot overwrite each other.
    // `position` keeps the order they were added in; `removed` marks a device removed at run time, so an import of
    // the directory file that still lists it does not bring a dead push address back.
    `CREATE TABLE qdesk_devices (
      tenant_id text NOT NULL,
      end_user_id text NOT NULL,
      id text NOT NULL,
      position integer NOT NULL,
      platform text NOT NULL CHECK (platform IN ('ios', 'android', 'web')),
      push_address text NOT NULL,
      notification_permission text NOT NULL
        CHECK (notification_permission IN ('granted', 'denied', 'default', 'unknown')),
      last_seen_at bigint,
      label text,
      removed boolean NOT NULL DEFAULT false,
      PRIMARY KEY (tenant_id, end_user_id, id),
      FOREIGN KEY (tenant_id, end_user_id) REFERENCES qdesk_end_users (tenant_id, id) ON DELETE CASCADE
    )`,
    `CREATE TABLE qdesk_customers (
      tenant_id text NOT NULL,
      id text NOT NULL,
      name text NOT NULL,
      domain text,
      PRIMARY KEY (tenant_id, id)
    )`,
    // Links are one to one: the primary key makes a company's side unique, the index the customer's. Racing
    // writers meet at these indexes and exactly one wins.
    `CREATE TABLE qdesk_company_links (
      tenant_id text NOT NULL,
      company_id text NOT NULL,
      customer_id text NOT NULL,
      confirmed_by_id text NOT NULL,
      confirmed_by_name text NOT NULL,
      confirmed_at bigint NOT NULL,
      PRIMARY KEY (tenant_id, company_id),
      FOREIGN KEY (tenant_id, customer_id) REFERENCES qdesk_customers (tenant_id, id)
    )`,
    'CREATE UNIQUE INDEX qdesk_company_links_customer ON qdesk_company_links (tenant_id, customer_id)',
    // End-users live in whichever directory the app uses, so a contact link references none.
    `CREATE TABLE qdesk_contact_links (
      tenant_id text NOT NULL,
      contact_id text NOT NULL,
      end_user_id text NOT NULL,
      confirmed_by_id text NOT NULL,
      confirmed_by_name text NOT NULL,
      confirmed_at bigint NOT NULL,
      PRIMARY KEY (tenant_id, contact_id)
    )`,
    'CREATE UNIQUE INDEX qdesk_contact_links_end_user ON qdesk_contact_links (tenant_id, end_user_id)',
    // The PSA records the last sync read, each stamped with the run that stored it (completing a run prunes the
    // rest).
    `CREATE TABLE qdesk_psa_companies (
      tenant_id text NOT NULL,
      id text NOT NULL,
      name text NOT NULL,
      web_address text,
      is_active boolean NOT NULL,
      run_id text NOT NULL,
      PRIMARY KEY (tenant_id, id)
    )`,
    `CREATE TABLE qdesk_psa_contacts (
      tenant_id text NOT NULL,
      id text NOT NULL,
      company_id text NOT NULL,
      first_name text NOT NULL,
      last_name text NOT NULL,
      emails text[] NOT NULL,
      mobile_phone text,
      phone text,
      is_active boolean NOT NULL,
      run_id text NOT NULL,
      PRIMARY KEY (tenant_id, id)
    )`,
    `CREATE TABLE qdesk_matching_checkpoints (
      tenant_id text PRIMARY KEY,
      checkpoint jsonb NOT NULL
    )`,
  ],
};
