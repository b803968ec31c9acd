import { z } from 'zod';
import type { CodeMessageContext } from '../internal/expect-message.js';
import { fn, loggerSchema, withMethods } from '../internal/settings.js';
import type { ChannelLogger } from '../logger.js';

/** The subject and bodies of a code email. @public */
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
  /** Recipient. */
  to: string;
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
  /** Login for authenticated submission. */
  auth?: {
    /** User name. */
    user: string;
    /** Password or API key. */
    pass: string;
  };
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
  /** Renders the subject and bodies yourself from the code's context, instead of core's wording. */
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
        auth: z.strictObject({ user: z.string().min(1), pass: z.string() }).optional(),
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
