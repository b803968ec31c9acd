import { createSmtpEmail } from '@qdesk/channels/smtp';

declare function tokenFromMsal(): Promise<string>; // yours: scope https://outlook.office365.com/.default

const exchange = createSmtpEmail({
  from: 'Contoso IT <it-verify@contoso.example>',
  smtp: {
    host: 'smtp.office365.com',
    auth: { type: 'oauth2', user: 'it-verify@contoso.example', getAccessToken: () => tokenFromMsal() },
    // or: auth: { type: 'oauth2', user: 'it-verify@contoso.example', accessToken: process.env.SMTP_TOKEN! },
  },
});

export {};
