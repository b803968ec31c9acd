import { z } from 'zod';
import type { CodeMessageContext } from '../internal/expect-message.js';
import { fn, loggerSchema, withMethods } from '../internal/settings.js';
import type { ChannelLogger } from '../logger.js';

/** The subject and bodies of an email. @public */
export interface EmailContent {
  /** Subject line. */
  subject: string;
  /** Plain-text body. */
  text: string;
  /** HTML body; leave it out to send text only. */
  html?: string;
}

/** One email as handed to the transport (a subset of nodemailer's `sendMail` options). @public */
export interface SmtpMail {
  /** Sender. */
  from: string;
  /**
   * The one recipient, as an address object so nodemailer never parses it as a list or a display name. The address
   * was checked to be a single plain email address before the transport is called.
   */
  to: {
    /** The recipient's address. */
    address: string;
    /** Always empty: the stored address carries no display name. */
    name: '';
  };
  /** The SMTP envelope, set explicitly: `MAIL FROM` is `from`'s address, `RCPT TO` the one recipient. */
  envelope: {
    /** The sender (nodemailer takes the address out of a `Name <address>` form). */
    from: string;
    /** Exactly one address. */
    to: [string];
  };
  /** Reply-To, when set. */
  replyTo?: string;
  /** Subject line. */
  subject: string;
  /** Plain-text body. */
  text: string;
  /** HTML body. */
  html?: string;
  /** Extra headers. */
  headers: Record<string, string>;
}

/** What the transport reports for an accepted email (nodemailer's `SentMessageInfo` fits). @public */
export interface SmtpSendInfo {
  /** The Message-ID header of the sent email. */
  messageId?: string;
  /** Recipients the server refused without failing the whole send. */
  rejected?: ReadonlyArray<
    | string
    | {
        /** The refused address. */
        address: string;
      }
  >;
  /** The server's final reply line. */
  response?: string;
}

/**
 * Anything that can send an email: a nodemailer transporter (`nodemailer.createTransport(...)`), or your own
 * wrapper. It rejects with nodemailer-shaped errors (`code`, `responseCode`) so failures can be classified.
 * @public
 */
export interface SmtpTransport {
  /** Sends one email. */
  sendMail(mail: SmtpMail): Promise<SmtpSendInfo>;
  /** Releases pooled connections. */
  close?(): void;
}

/**
 * A user name and password (or API key) for SMTP AUTH PLAIN / LOGIN.
 * @example
 * ```ts
 * const auth: SmtpPasswordAuth = { user: 'apikey', pass: process.env.SMTP_PASSWORD! };
 * ```
 * @public
 */
export interface SmtpPasswordAuth {
  /** User name. */
  user: string;
  /** Password or API key. */
  pass: string;
}

/**
 * What {@link SmtpOAuth2Auth}'s `getAccessToken` is asked for.
 * @example
 * ```ts
 * const getAccessToken = async ({ renew }: SmtpAccessTokenRequest) => (renew ? refresh() : cachedOrRefresh());
 * ```
 * @public
 */
export interface SmtpAccessTokenRequest {
  /** The mailbox the token is for (the `user` setting). */
  user: string;
  /**
   * True when the server refused the last token: return a fresh one, not a cached one. False when a new connection
   * logs in (return a cached token while it is valid).
   */
  renew: boolean;
}

/**
 * Returns a current OAuth2 access token for SMTP; see {@link SmtpOAuth2Auth}.
 * @example
 * ```ts
 * const getAccessToken: SmtpAccessTokenProvider = async () =>
 *   (await msal.acquireTokenByClientCredential({ scopes: ['https://outlook.office365.com/.default'] }))!.accessToken;
 * ```
 * @public
 */
export type SmtpAccessTokenProvider = (request: SmtpAccessTokenRequest) => Promise<string>;

/**
 * OAuth2 login (SASL XOAUTH2): the mailbox and either an access token or a function that returns a current one.
 * For Exchange Online the token's scope is `https://outlook.office365.com/.default` (client credentials, with the
 * app's service principal granted access to the mailbox) or `https://outlook.office.com/SMTP.Send` (delegated).
 * @example
 * ```ts
 * const auth: SmtpOAuth2Auth = { type: 'oauth2', user: 'it-verify@contoso.example', getAccessToken };
 * ```
 * @public
 */
export type SmtpOAuth2Auth = {
  /** OAuth2 (XOAUTH2). */
  type: 'oauth2';
  /** The mailbox to log in as. */
  user: string;
} & (
  | {
      /** A ready access token; it is used until the server refuses it. */
      accessToken: string;
      getAccessToken?: never;
    }
  | {
      /**
       * Returns a current access token; called each time a connection logs in, and with `renew: true` once after the
       * server refused a token. Cache tokens yourself (MSAL and google-auth-library do). A rejection is a transient
       * failure of the send; the error's text is not put in the delivery result.
       */
      getAccessToken: SmtpAccessTokenProvider;
      accessToken?: never;
    }
);

/** Connection settings from which the channel builds a pooled nodemailer transport. @public */
export interface SmtpServerSettings {
  /** SMTP host (from your mail provider or relay). */
  host: string;
  /** Port (default 465 when `secure`, else 587). */
  port?: number;
  /** Implicit TLS from the first byte (port 465). Default false: STARTTLS. */
  secure?: boolean;
  /** Refuse to send unless the server upgrades with STARTTLS. Default true unless `secure` or `ignoreTLS`. */
  requireTLS?: boolean;
  /** Never upgrade to TLS: only for a local relay or a test server. */
  ignoreTLS?: boolean;
  /**
   * Login for authenticated submission: a user name and password (or API key), or OAuth2 (XOAUTH2) with an access
   * token or a function that returns one. Microsoft turns off basic SMTP AUTH for Exchange Online by default at the
   * end of 2026: use OAuth2 there, or the Microsoft Graph channel (`@qdesk/channels/graph`).
   */
  auth?: SmtpPasswordAuth | SmtpOAuth2Auth;
  /** TLS options passed to Node's `tls.connect`. */
  tls?: {
    /** Refuse a certificate that does not verify (default true; keep it). */
    rejectUnauthorized?: boolean;
    /** Server name for SNI and certificate checks, when `host` is an IP address. */
    servername?: string;
    /** Oldest TLS version to accept. */
    minVersion?: 'TLSv1.2' | 'TLSv1.3';
    /** PEM certificate authority for a private relay. */
    ca?: string;
  };
  /** Keep connections open and reuse them (default true). */
  pool?: boolean;
  /** Pooled connections at most (default 5). */
  maxConnections?: number;
  /** Messages per pooled connection before it is recycled (default 100). */
  maxMessages?: number;
  /** Connect timeout in ms (default 10 000). */
  connectionTimeoutMs?: number;
  /** Wait for the greeting in ms (default 10 000). */
  greetingTimeoutMs?: number;
  /** Idle socket timeout in ms (default 30 000). */
  socketTimeoutMs?: number;
  /** DKIM signing: your domain, the selector published in DNS, and the PEM private key. */
  dkim?: {
    /** The signing domain (`d=`), usually the domain of `from`. */
    domainName: string;
    /** The selector (`s=`) whose public key is published at `<selector>._domainkey.<domain>`. */
    keySelector: string;
    /** PEM private key matching the published record. */
    privateKey: string;
  };
}

/** Settings for `createSmtpEmail`. Give `smtp` or `transport`. @public */
export interface SmtpEmailSettings {
  /** Sender, for example `"Contoso IT <it-verify@contoso.example>"`. */
  from: string;
  /** Reply-To, for example the helpdesk's address. */
  replyTo?: string;
  /** Server settings; the channel creates and owns a pooled transport (needs the `nodemailer` package). */
  smtp?: SmtpServerSettings;
  /** A transport you created and own (`close()` leaves it open). */
  transport?: SmtpTransport;
  /**
   * Renders the subject and bodies of a code email yourself from the code's context, instead of core's wording. It is
   * called for code emails only: an account notice (a sign-in link, a new device), which has no code, goes out in
   * core's wording.
   */
  template?: (context: CodeMessageContext) => EmailContent | Promise<EmailContent>;
  /** Receives notes such as recipients the server refused. */
  logger?: ChannelLogger;
}

const positiveInt = z.number().int().positive();

export const smtpSettingsSchema = z
  .strictObject({
    from: z.string().min(3),
    replyTo: z.string().min(3).optional(),
    smtp: z
      .strictObject({
        host: z.string().min(1),
        port: z.number().int().min(1).max(65_535).optional(),
        secure: z.boolean().default(false),
        requireTLS: z.boolean().optional(),
        ignoreTLS: z.boolean().default(false),
        auth: z
          .union([
            z.strictObject({ user: z.string().min(1), pass: z.string() }),
            z.strictObject({
              type: z.literal('oauth2'),
              user: z.string().min(1),
              accessToken: z.string().min(1, 'expected a non-empty access token'),
            }),
            z.strictObject({
              type: z.literal('oauth2'),
              user: z.string().min(1),
              getAccessToken: fn<SmtpAccessTokenProvider>('getAccessToken'),
            }),
          ])
          .optional(),
        tls: z
          .strictObject({
            rejectUnauthorized: z.boolean().optional(),
            servername: z.string().optional(),
            minVersion: z.enum(['TLSv1.2', 'TLSv1.3']).optional(),
            ca: z.string().optional(),
          })
          .optional(),
        pool: z.boolean().default(true),
        maxConnections: positiveInt.default(5),
        maxMessages: positiveInt.default(100),
        connectionTimeoutMs: positiveInt.default(10_000),
        greetingTimeoutMs: positiveInt.default(10_000),
        socketTimeoutMs: positiveInt.default(30_000),
        dkim: z
          .strictObject({
            domainName: z.string().min(1),
            keySelector: z.string().min(1),
            privateKey: z.string().min(1),
          })
          .optional(),
      })
      .refine((s) => !(s.ignoreTLS && (s.requireTLS || s.secure)), {
        error: 'ignoreTLS cannot be combined with requireTLS or secure',
        path: ['ignoreTLS'],
      })
      .optional(),
    transport: withMethods<SmtpTransport>('a transport', ['sendMail']).optional(),
    template: fn<SmtpEmailSettings['template']>('a template').optional(),
    logger: loggerSchema.optional(),
  })
  .refine((s) => !s.smtp !== !s.transport, {
    error: 'give exactly one of smtp or transport',
    path: ['smtp'],
  });

export type ParsedSmtpServerSettings = NonNullable<z.output<typeof smtpSettingsSchema>['smtp']>;
