import { createFcm } from '@qdesk/channels/fcm';

const fcm = createFcm({
  serviceAccount: process.env.FCM_SERVICE_ACCOUNT_JSON!,
  platforms: ['android'], // add 'ios' if your iOS app receives pushes through FCM
});

export {};
