import { readFileSync } from 'node:fs';
import { createApns } from '@qdesk/channels/apns';

const apns = createApns({
  teamId: 'ABCDE12345',
  keyId: 'KEY1234567',
  privateKey: readFileSync('AuthKey_KEY1234567.p8', 'utf8'),
  topic: 'com.example.qdesk',
  host: 'sandbox', // 'production' (default) for TestFlight / App Store builds
});
// ... on shutdown
await apns.close();

export {};
