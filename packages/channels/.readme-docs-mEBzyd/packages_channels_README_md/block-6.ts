import webpush from 'web-push';
import { createWebPush } from '@qdesk/channels/web-push';

const push = createWebPush({
  vapid: {
    subject: 'mailto:it@msp.example',
    publicKey: process.env.VAPID_PUBLIC_KEY!,
    privateKey: process.env.VAPID_PRIVATE_KEY!,
  },
  library: webpush, // optional: loaded on first send when left out
});

export {};
