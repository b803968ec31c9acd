import { HttpResponse, http } from 'msw';

/** The app registration and mailbox the fake knows. */
export interface FakeGraphOptions {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  sender: string;
}

/** One request to the token endpoint, as received. */
export interface TokenCall {
  path: string;
  contentType: string | null;
  form: Record<string, string>;
}

/** One `sendMail` request, as received. */
export interface SendMailCall {
  /** The raw path, with the sender as encoded by the client. */
  path: string;
  authorization: string | null;
  contentType: string | null;
  body: {
    message: {
      subject: string;
      body: { contentType: string; content: string };
      toRecipients: { emailAddress: { address: string } }[];
    };
    saveToSentItems: boolean;
  };
}

/** Answers one request instead of the fake's standing behaviour. */
export type Responder<C> = (call: C) => Response | Promise<Response>;

const AUTHORITY = 'https://login.microsoftonline.com';
const GRAPH = 'https://graph.microsoft.com';

/** Graph's documented error body. */
export function graphError(
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
) {
  const innerError = { 'request-id': 'b7b6f1e0-1d2c-4a5b-9c8d-000000000001', date: '2026-11-30T04:00:00' };
  return HttpResponse.json({ error: { code, message, innerError } }, { status, headers });
}

/** The identity platform's documented token error body. */
export function tokenError(status: number, error: string, aadsts: number, description: string) {
  return HttpResponse.json(
    {
      error,
      error_description: `AADSTS${aadsts}: ${description} Trace ID: 0b9a2c1e-0000-4000-8000-000000000000 Correlation ID: 5f1e0c2d-0000-4000-8000-000000000000 Timestamp: 2026-11-30 04:00:00Z`,
      error_codes: [aadsts],
      timestamp: '2026-11-30 04:00:00Z',
      trace_id: '0b9a2c1e-0000-4000-8000-000000000000',
      correlation_id: '5f1e0c2d-0000-4000-8000-000000000000',
      error_uri: `${AUTHORITY}/error?code=${aadsts}`,
    },
    { status },
  );
}

/**
 * A fake of the Microsoft identity platform's token endpoint (client credentials) and Graph's `sendMail`, answering
 * with the documented bodies. The token endpoint checks the form and the app's credentials and issues numbered
 * tokens; `sendMail` accepts only an issued, unrevoked token and the known sender, and answers 202. Recipients in
 * `recipients` get a standing answer; `answerToken` / `answerSendMail` queue one answer each for the next request.
 * Every request is recorded in `calls`.
 */
export function createFakeGraph(options: FakeGraphOptions) {
  const calls = { token: [] as TokenCall[], sendMail: [] as SendMailCall[] };
  const delivered: SendMailCall[] = [];
  const issued: string[] = [];
  const revoked = new Set<string>();
  const recipients = new Map<string, Responder<SendMailCall>>();
  const tokenAnswers: Responder<TokenCall>[] = [];
  const sendAnswers: Responder<SendMailCall>[] = [];

  const tokenHandler = http.post(`${AUTHORITY}/:tenant/oauth2/v2.0/token`, async ({ request, params }) => {
    const form = Object.fromEntries(new URLSearchParams(await request.text()));
    const call: TokenCall = {
      path: new URL(request.url).pathname,
      contentType: request.headers.get('content-type'),
      form,
    };
    calls.token.push(call);
    const queued = tokenAnswers.shift();
    if (queued) return queued(call);
    if (params.tenant !== options.tenantId) {
      return tokenError(400, 'invalid_request', 90002, `Tenant '${String(params.tenant)}' not found.`);
    }
    if (form.grant_type !== 'client_credentials' || form.scope !== `${GRAPH}/.default`) {
      return tokenError(
        400,
        'invalid_request',
        900144,
        "The request body must contain the parameter 'grant_type'.",
      );
    }
    if (form.client_id !== options.clientId) {
      return tokenError(
        400,
        'unauthorized_client',
        700016,
        `Application with identifier '${form.client_id}' was not found in the directory 'Contoso'.`,
      );
    }
    if (form.client_secret !== options.clientSecret) {
      return tokenError(
        401,
        'invalid_client',
        7000215,
        `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${options.clientId}'.`,
      );
    }
    const token = `eyJ0eXAiOiJKV1QiLCJub25jZSI6ImZha2UifQ.token-${issued.length + 1}`;
    issued.push(token);
    return HttpResponse.json({
      token_type: 'Bearer',
      expires_in: 3599,
      ext_expires_in: 3599,
      access_token: token,
    });
  });

  const sendHandler = http.post(`${GRAPH}/v1.0/users/:sender/sendMail`, async ({ request, params }) => {
    const call: SendMailCall = {
      path: new URL(request.url).pathname,
      authorization: request.headers.get('authorization'),
      contentType: request.headers.get('content-type'),
      body: (await request.json()) as SendMailCall['body'],
    };
    calls.sendMail.push(call);
    const queued = sendAnswers.shift();
    if (queued) return queued(call);
    const bearer = call.authorization?.replace(/^Bearer /, '') ?? '';
    if (!issued.includes(bearer) || revoked.has(bearer)) {
      return graphError(
        401,
        'InvalidAuthenticationToken',
        'Access token validation failure. Invalid audience.',
      );
    }
    if (decodeURIComponent(String(params.sender)) !== options.sender) {
      return graphError(404, 'ErrorInvalidUser', `The requested user '${String(params.sender)}' is invalid.`);
    }
    const standing = recipients.get(call.body.message.toRecipients[0]?.emailAddress.address ?? '');
    if (standing) return standing(call);
    delivered.push(call);
    return new HttpResponse(null, {
      status: 202,
      headers: { 'request-id': `5f0c1b2a-0000-4000-8000-${String(calls.sendMail.length).padStart(12, '0')}` },
    });
  });

  return {
    handlers: [tokenHandler, sendHandler],
    calls,
    /** Every `sendMail` the fake accepted (202), oldest first: what reached a mailbox. Kept across resets. */
    delivered,
    /** Tokens issued so far, oldest first. */
    issued,
    /** Tokens `sendMail` refuses from now on (as if revoked). */
    revoked,
    /** Standing answers by recipient address. */
    recipients,
    /** Answers the next token request with `responder`. */
    answerToken(responder: Responder<TokenCall>) {
      tokenAnswers.push(responder);
    },
    /** Answers the next `sendMail` with `responder`. */
    answerSendMail(responder: Responder<SendMailCall>) {
      sendAnswers.push(responder);
    },
    /** Forgets recorded calls, queued answers and revocations (issued tokens stay valid). */
    reset() {
      calls.token.length = 0;
      calls.sendMail.length = 0;
      tokenAnswers.length = 0;
      sendAnswers.length = 0;
      revoked.clear();
    },
  };
}
