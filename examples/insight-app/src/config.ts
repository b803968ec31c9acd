import { readFileSync } from 'node:fs';
import { z } from 'zod';

// Every setting comes from the environment and is validated at start, so a typo fails fast with the variable's name.
const optional = z.string().trim().min(1).optional();

const envShape = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  PUBLIC_URL: z.url().optional(),
  QDESK_SECRET: z.string().min(32, 'must be at least 32 characters of random data').optional(),
  QDESK_TENANT_ID: z.string().min(1).default('demo-msp'),
  // Technicians sign in with OpenID Connect against the MSP's identity provider (Entra ID, Okta, Google...).
  QDESK_OIDC_ISSUER: z.url({ protocol: /^https?$/ }).optional(),
  QDESK_OIDC_CLIENT_ID: optional,
  QDESK_OIDC_CLIENT_SECRET: optional,
  // The ID token claim holding the person's roles or groups, and the values that make a technician or an admin.
  QDESK_OIDC_ROLES_CLAIM: z
    .string()
    .regex(/^[A-Za-z0-9_:./-]{1,100}$/, 'must be a claim name such as roles or groups')
    .default('roles'),
  QDESK_OIDC_TECHNICIAN_ROLE: z.string().trim().min(1).max(200).default('qdesk-technician'),
  QDESK_OIDC_ADMIN_ROLE: z.string().trim().min(1).max(200).default('qdesk-admin'),
  // What the sign-in button says ("Sign in with <name>").
  QDESK_OIDC_NAME: z.string().trim().min(1).max(40).default('your work account'),
  // End-users: a JSON file listing each customer's identity provider ([{customerId, issuer, clientId, clientSecret}]).
  QDESK_END_USER_IDP_FILE: optional,
  // SCIM provisioning: a JSON file of the customers whose identity provider pushes users ([{customerId, tokenSha256,
  // defaultRegion}]); the endpoint is <PUBLIC_URL>/scim/v2/<customerId>.
  QDESK_SCIM_FILE: optional,
  // Who may frame the Insight: space-separated https origins (wildcard subdomains allowed). Default: Autotask's.
  QDESK_FRAME_ANCESTORS: z
    .string()
    .trim()
    .regex(
      /^(https:\/\/(\*\.)?[a-z0-9.-]+(:\d{1,5})?)( https:\/\/(\*\.)?[a-z0-9.-]+(:\d{1,5})?)*$/,
      'must be https origins separated by spaces, such as https://*.autotask.net',
    )
    .optional(),
  // Removed: a typed name and a shared password proved nothing about who signed in.
  QDESK_TECHNICIAN_PASSWORD: optional,
  QDESK_ADMIN_PASSWORD: optional,
  // The bearer token a reset tool presents to POST /api/grants/verify; demo mode makes one up at start.
  QDESK_RESET_TOOL_TOKEN: z.string().min(32, 'must be at least 32 characters of random data').optional(),
  // "This is <technician> from <MSP>" in reverse verification.
  QDESK_MSP_NAME: z
    .string()
    .trim()
    .min(1)
    .max(40, 'must be at most 40 characters')
    .regex(/^[^\p{Cc}]*$/u, 'must not contain control characters')
    .optional(),
  // The Insight's pre-selected code mode where a customer's policy allows comparing by eye (a weaker choice).
  QDESK_CODE_MODE: z.enum(['verify', 'compare']).default('verify'),
  AUTOTASK_USERNAME: optional,
  AUTOTASK_SECRET: optional,
  AUTOTASK_INTEGRATION_CODE: optional,
  AUTOTASK_ZONE_URL: z.url().optional(),
  AUTOTASK_WEBHOOK_SECRET: z
    .string()
    .min(16, 'must be at least 16 characters')
    .max(64, 'Autotask allows at most 64')
    .optional(),
  TWILIO_ACCOUNT_SID: optional,
  TWILIO_AUTH_TOKEN: optional,
  TWILIO_FROM: optional,
  TWILIO_MESSAGING_SERVICE_SID: optional,
  SMTP_HOST: optional,
  SMTP_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  SMTP_USER: optional,
  SMTP_PASSWORD: optional,
  SMTP_FROM: z.email().optional(),
  QDESK_GRAPH_TENANT_ID: optional,
  QDESK_GRAPH_CLIENT_ID: optional,
  QDESK_GRAPH_CLIENT_SECRET: optional,
  QDESK_GRAPH_SENDER: optional,
  VAPID_PUBLIC_KEY: optional,
  VAPID_PRIVATE_KEY: optional,
  VAPID_SUBJECT: optional,
  FCM_SERVICE_ACCOUNT_FILE: optional,
  APNS_KEY_FILE: optional,
  APNS_KEY_ID: optional,
  APNS_TEAM_ID: optional,
  APNS_TOPIC: optional,
  APNS_ENVIRONMENT: z.enum(['production', 'sandbox']).default('production'),
  QDESK_DIRECTORY_FILE: optional,
  // Directory sources: a JSON file listing each customer's Microsoft Entra ID or Active Directory, synced on a schedule
  // (its entries are checked at start; see directory-sources.ts).
  QDESK_DIRECTORY_SOURCES_FILE: optional,
  // PostgreSQL for every store (several instances share it); without it, PGlite in QDESK_DATA_DIR.
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// connection string')
    .optional(),
  // The folder PGlite keeps its data in (demo mode default: the app's own .data folder).
  QDESK_DATA_DIR: optional,
  // Set to 1 when migrations run separately (`pnpm qdesk migrate`); the app then refuses an outdated schema.
  QDESK_SKIP_MIGRATIONS: z
    .enum(['0', '1', 'true', 'false'])
    .optional()
    .transform((v) => v === '1' || v === 'true'),
});

const isLoopback = (url: string) => /^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?(\/|$)/.test(url);

export const envSchema = envShape.superRefine((env, ctx) => {
  const real = env.AUTOTASK_USERNAME !== undefined;
  const groups: [string, (keyof typeof env)[]][] = [
    ['Autotask', ['AUTOTASK_USERNAME', 'AUTOTASK_SECRET', 'AUTOTASK_INTEGRATION_CODE']],
    ['Twilio', ['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN']],
    ['SMTP', ['SMTP_HOST', 'SMTP_FROM']],
    [
      'Microsoft Graph mail',
      ['QDESK_GRAPH_TENANT_ID', 'QDESK_GRAPH_CLIENT_ID', 'QDESK_GRAPH_CLIENT_SECRET', 'QDESK_GRAPH_SENDER'],
    ],
    ['Web Push', ['VAPID_PUBLIC_KEY', 'VAPID_PRIVATE_KEY', 'VAPID_SUBJECT']],
    ['APNs', ['APNS_KEY_FILE', 'APNS_KEY_ID', 'APNS_TEAM_ID', 'APNS_TOPIC']],
    ['OpenID Connect', ['QDESK_OIDC_ISSUER', 'QDESK_OIDC_CLIENT_ID', 'QDESK_OIDC_CLIENT_SECRET']],
  ];
  for (const [name, keys] of groups) {
    const set = keys.filter((k) => env[k] !== undefined);
    if (set.length > 0 && set.length < keys.length) {
      for (const k of keys.filter((k) => env[k] === undefined)) {
        ctx.addIssue({
          code: 'custom',
          path: [k],
          message: `is required when other ${name} settings are set`,
        });
      }
    }
  }
  if (env.TWILIO_ACCOUNT_SID && !env.TWILIO_FROM && !env.TWILIO_MESSAGING_SERVICE_SID) {
    ctx.addIssue({
      code: 'custom',
      path: ['TWILIO_FROM'],
      message: 'set TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID',
    });
  }
  if (env.SMTP_HOST && env.QDESK_GRAPH_TENANT_ID) {
    ctx.addIssue({
      code: 'custom',
      path: ['QDESK_GRAPH_TENANT_ID'],
      message:
        'email goes by SMTP or by Microsoft Graph, not both: unset the SMTP_* or the QDESK_GRAPH_* settings',
    });
  }
  for (const removed of ['QDESK_TECHNICIAN_PASSWORD', 'QDESK_ADMIN_PASSWORD'] as const) {
    if (env[removed] !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: [removed],
        message:
          'was removed: technicians sign in with your identity provider now. Unset it and set QDESK_OIDC_ISSUER, ' +
          'QDESK_OIDC_CLIENT_ID and QDESK_OIDC_CLIENT_SECRET (see the README, "Real mode")',
      });
    }
  }
  if (env.QDESK_OIDC_TECHNICIAN_ROLE === env.QDESK_OIDC_ADMIN_ROLE) {
    ctx.addIssue({
      code: 'custom',
      path: ['QDESK_OIDC_ADMIN_ROLE'],
      message: 'must differ from QDESK_OIDC_TECHNICIAN_ROLE (it is what makes a sign-in an administrator)',
    });
  }
  if (env.QDESK_OIDC_ISSUER && !env.PUBLIC_URL) {
    ctx.addIssue({
      code: 'custom',
      path: ['PUBLIC_URL'],
      message:
        'is required with QDESK_OIDC_ISSUER: the identity provider sends the browser back to <PUBLIC_URL>/auth/callback, the redirect URI registered there',
    });
  }
  for (const [key, value] of [
    ['QDESK_OIDC_ISSUER', env.QDESK_OIDC_ISSUER],
    ['PUBLIC_URL', env.PUBLIC_URL],
  ] as const) {
    if (value && real && !value.startsWith('https://') && !isLoopback(value)) {
      ctx.addIssue({
        code: 'custom',
        path: [key],
        message: 'must be https (plain http only on 127.0.0.1 or localhost)',
      });
    }
  }
  if (real && !env.QDESK_SECRET)
    ctx.addIssue({ code: 'custom', path: ['QDESK_SECRET'], message: 'is required outside demo mode' });
  if (real && !env.QDESK_DIRECTORY_FILE && !env.QDESK_DIRECTORY_SOURCES_FILE) {
    ctx.addIssue({
      code: 'custom',
      path: ['QDESK_DIRECTORY_FILE'],
      message:
        'is required outside demo mode (a JSON list of end-users), unless QDESK_DIRECTORY_SOURCES_FILE names directory sources',
    });
  }
  if (real && !env.QDESK_OIDC_ISSUER) {
    ctx.addIssue({
      code: 'custom',
      path: ['QDESK_OIDC_ISSUER'],
      message:
        "is required outside demo mode (your identity provider's issuer URL, for technicians' sign-in)",
    });
  }
});

export type AppEnv = z.output<typeof envSchema>;

export class EnvError extends Error {
  override readonly name = 'EnvError';
}

type Source = Record<string, string | undefined>;

/** The variables a schema names (an empty one counts as unset), validated; the error names every bad variable. */
function parseEnv<S extends z.ZodType>(schema: S, keys: readonly string[], source: Source): z.output<S> {
  const picked = Object.fromEntries(keys.map((k) => [k, source[k] === '' ? undefined : source[k]]));
  const parsed = schema.safeParse(picked);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
  throw new EnvError(`Invalid configuration:\n${lines.join('\n')}`);
}

/** Reads and validates the environment; the error names every missing or malformed variable. */
export function readEnv(source: Source = process.env): AppEnv {
  return parseEnv(envSchema, Object.keys(envShape.shape), source);
}

/** Demo mode: no Autotask credentials, so everything runs on embedded defaults and the local Autotask fake. */
export const isDemo = (env: Pick<AppEnv, 'AUTOTASK_USERNAME'>) => env.AUTOTASK_USERNAME === undefined;

/** The variables that say where the data lives, for the CLI (which needs none of the app's others). */
export type StoreEnv = Pick<
  AppEnv,
  'DATABASE_URL' | 'QDESK_DATA_DIR' | 'AUTOTASK_USERNAME' | 'QDESK_TENANT_ID'
>;

/** Reads and validates only the variables of {@link StoreEnv}. */
export function readStoreEnv(source: Source = process.env): StoreEnv {
  const schema = envShape.pick({
    DATABASE_URL: true,
    QDESK_DATA_DIR: true,
    AUTOTASK_USERNAME: true,
    QDESK_TENANT_ID: true,
  });
  return parseEnv(schema, Object.keys(schema.shape), source);
}

/**
 * A JSON file a variable names, validated against `schema`. The error names the variable, the file, the `shape`
 * expected and every bad field, and never quotes a value (the file may hold secrets).
 */
export function readConfigFile<S extends z.ZodType>(
  variable: string,
  file: string,
  schema: S,
  shape: string,
): z.output<S> {
  try {
    return schema.parse(JSON.parse(readFileSync(file, 'utf8')));
  } catch (error) {
    const why =
      error instanceof z.ZodError
        ? error.issues.map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`).join('; ')
        : error instanceof SyntaxError
          ? 'not JSON'
          : (error as Error).message;
    throw new EnvError(`Invalid configuration:\n  ${variable}: ${file} must be ${shape} (${why})`);
  }
}
