import { createSmtpEmail } from '@qdesk/channels/smtp';

const email = createSmtpEmail({
  from: 'Contoso IT <it-verify@contoso.example>',
  smtp: {
    host: 'smtp.example.com', // port 587 + STARTTLS required by default; secure: true for 465
    auth: { user: 'apikey', pass: process.env.SMTP_PASSWORD! },
    dkim: { domainName: 'contoso.example', keySelector: 'qdesk', privateKey: process.env.DKIM_KEY! },
  },
  // Optional: your own wording instead of core's.
  template: (c) => ({
    subject: `Your code for ${c.ticketNumber ?? 'IT'}`,
    text: `Read ${c.code} to ${c.technicianName}.`,
  }),
});
// ... on shutdown
await email.close(); // releases the connection pool

export {};
