import { createAutotaskAdapter } from '@qdesk/autotask-adapter';

export const psa = createAutotaskAdapter({
  username: process.env.AUTOTASK_USERNAME!,
  secret: process.env.AUTOTASK_SECRET!,
  integrationCode: process.env.AUTOTASK_INTEGRATION_CODE!,
  notes: {
    // Notes are written as the technician by default; when one cannot be, it is written as the API user and:
    onAuthorFallback: ({ reason, ticketId, noteId, technicianId }) =>
      console.warn(
        `note ${noteId} on ticket ${ticketId} written as the API user for ${technicianId}: ${reason}`,
      ),
  },
});
