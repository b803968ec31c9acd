import { generateKeyPairSync, verify } from 'node:crypto';
import { HttpResponse, http } from 'msw';

/**
 * A fake of Google's token endpoint and FCM v1 send endpoint, answering with the documented bodies. The token
 * endpoint verifies the service-account JWT's RS256 signature and claims before issuing a numbered token.
 */
export function createFakeFcm() {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const serviceAccount = {
    type: 'service_account',
    project_id: 'qdesk-test',
    private_key_id: 'key-1',
    private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    client_email: 'qdesk-sender@qdesk-test.iam.gserviceaccount.com',
    token_uri: 'https://oauth2.googleapis.com/token',
  };
  const sendUrl = 'https://fcm.googleapis.com/v1/projects/qdesk-test/messages:send';

  let issued: string[] = [];
  const sends: { authorization: string | null; body: { message: Record<string, unknown> } }[] = [];
  const revoked = new Set<string>();

  /** Verifies the service-account JWT like Google's token endpoint would, then issues a numbered token. */
  const tokenHandler = http.post('https://oauth2.googleapis.com/token', async ({ request }) => {
    const form = new URLSearchParams(await request.text());
    const [header, claims, signature] = (form.get('assertion') ?? '').split('.');
    const signed = verify(
      'sha256',
      Buffer.from(`${header}.${claims}`),
      publicKey,
      Buffer.from(signature!, 'base64url'),
    );
    const decoded = JSON.parse(Buffer.from(claims!, 'base64url').toString());
    const head = JSON.parse(Buffer.from(header!, 'base64url').toString());
    const valid =
      signed &&
      form.get('grant_type') === 'urn:ietf:params:oauth:grant-type:jwt-bearer' &&
      head.alg === 'RS256' &&
      head.kid === 'key-1' &&
      decoded.iss === serviceAccount.client_email &&
      decoded.scope === 'https://www.googleapis.com/auth/firebase.messaging' &&
      decoded.aud === 'https://oauth2.googleapis.com/token' &&
      decoded.exp - decoded.iat === 3600;
    if (!valid)
      return HttpResponse.json({ error: 'invalid_grant', error_description: 'Invalid JWT' }, { status: 400 });
    const token = `ya29.token-${issued.length + 1}`;
    issued.push(token);
    return HttpResponse.json({ access_token: token, expires_in: 3599, token_type: 'Bearer' });
  });

  const fcmError = (
    code: number,
    status: string,
    message: string,
    errorCode?: string,
    extra: object[] = [],
  ) =>
    HttpResponse.json(
      {
        error: {
          code,
          message,
          status,
          details: [
            ...(errorCode
              ? [{ '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode }]
              : []),
            ...extra,
          ],
        },
      },
      { status: code, headers: code === 429 ? { 'retry-after': '10' } : {} },
    );

  /** Device tokens that make the fake answer with FCM's documented error bodies (some quote the request). */
  const refusals: Record<string, (message: Record<string, unknown>) => Response> = {
    'dead-token': () => fcmError(404, 'NOT_FOUND', 'Requested entity was not found.', 'UNREGISTERED'),
    'bad-token': () =>
      fcmError(
        400,
        'INVALID_ARGUMENT',
        'The registration token is not a valid FCM registration token',
        'INVALID_ARGUMENT',
        [
          {
            '@type': 'type.googleapis.com/google.rpc.BadRequest',
            fieldViolations: [{ field: 'message.token', description: 'Invalid registration token' }],
          },
        ],
      ),
    'bad-ttl': () =>
      fcmError(400, 'INVALID_ARGUMENT', 'Invalid value at message.android.ttl', 'INVALID_ARGUMENT', [
        {
          '@type': 'type.googleapis.com/google.rpc.BadRequest',
          fieldViolations: [{ field: 'message.android.ttl' }],
        },
      ]),
    'other-project': () => fcmError(403, 'PERMISSION_DENIED', 'SenderId mismatch', 'SENDER_ID_MISMATCH'),
    quota: () => fcmError(429, 'RESOURCE_EXHAUSTED', 'Quota exceeded.', 'QUOTA_EXCEEDED'),
    unavailable: () => fcmError(503, 'UNAVAILABLE', 'The service is currently unavailable.', 'UNAVAILABLE'),
    internal: () => fcmError(500, 'INTERNAL', 'Internal error encountered.', 'INTERNAL'),
    'apns-auth': () =>
      fcmError(401, 'UNAUTHENTICATED', 'Auth error from APNS or Web Push Service', 'THIRD_PARTY_AUTH_ERROR'),
    'no-permission': () =>
      fcmError(
        403,
        'PERMISSION_DENIED',
        "Permission 'cloudmessaging.messages.create' denied on resource '//cloudresourcemanager.googleapis.com/projects/qdesk-test'",
      ),
    // Google's field errors quote the offending value: here the notification's text.
    'echo-value': (message) => {
      const quoted = JSON.stringify((message.notification as { body?: string } | undefined)?.body);
      return fcmError(
        400,
        'INVALID_ARGUMENT',
        `Invalid value at 'message.data[3].value' (TYPE_STRING), ${quoted}`,
        'INVALID_ARGUMENT',
        [
          {
            '@type': 'type.googleapis.com/google.rpc.BadRequest',
            fieldViolations: [{ field: 'message.data[3].value', description: `Invalid value ${quoted}` }],
          },
        ],
      );
    },
  };

  const handlers = [
    tokenHandler,
    http.post(sendUrl, async ({ request }) => {
      const authorization = request.headers.get('authorization');
      const bearer = authorization?.replace(/^Bearer /, '') ?? '';
      if (!issued.includes(bearer) || revoked.has(bearer)) {
        return fcmError(401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials.');
      }
      const body = (await request.json()) as { message: Record<string, unknown> };
      sends.push({ authorization, body });
      const refusal = refusals[String(body.message.token)];
      if (refusal) return refusal(body.message);
      return HttpResponse.json({ name: `projects/qdesk-test/messages/${sends.length}` });
    }),
  ];

  return {
    serviceAccount,
    sendUrl,
    handlers,
    /** Access tokens issued so far, oldest first. */
    issued: () => issued,
    sends,
    revoked,
    reset() {
      issued = [];
      revoked.clear();
    },
  };
}
