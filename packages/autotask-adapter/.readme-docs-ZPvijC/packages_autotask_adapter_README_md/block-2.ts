import { createAutotaskAdapter } from '@qdesk/autotask-adapter';

export const psa = createAutotaskAdapter({
  username: process.env.AUTOTASK_USERNAME!, // the API user's "Username (Key)"
  secret: process.env.AUTOTASK_SECRET!, // its "Password (Secret)"
  integrationCode: process.env.AUTOTASK_INTEGRATION_CODE!, // its "API Tracking Identifier"
});
// then give `psa` to QDesk's verifier as its PSA port: createVerifier({ psa, ... })

export {};
