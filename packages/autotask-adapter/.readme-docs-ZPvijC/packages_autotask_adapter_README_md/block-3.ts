import { buildQuery, createAutotaskClient, where } from '@qdesk/autotask-adapter';

const client = createAutotaskClient({
  username: process.env.AUTOTASK_USERNAME!,
  secret: process.env.AUTOTASK_SECRET!,
  integrationCode: process.env.AUTOTASK_INTEGRATION_CODE!,
});
const query = buildQuery(
  [
    where.eq('isActive', 1),
    where.or(where.endsWith('emailAddress', '@northwind.example'), where.exist('emailAddress3')),
  ],
  { includeFields: ['firstName', 'lastName'], maxRecords: 200 },
);
for await (const contact of client.query('Contacts', query)) console.log(contact.id, contact.lastName);

export {};
