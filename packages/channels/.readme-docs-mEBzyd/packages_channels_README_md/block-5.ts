import { createGraphEmail } from '@qdesk/channels/graph';

const email = createGraphEmail({
  tenantId: process.env.ENTRA_TENANT_ID!,
  clientId: process.env.ENTRA_CLIENT_ID!,
  clientSecret: process.env.ENTRA_CLIENT_SECRET!,
  sender: 'it-verify@contoso.example',
});

export {};
