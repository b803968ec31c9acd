import { readFileSync } from 'node:fs';
import { createAutotaskAdapter } from '@qdesk/autotask-adapter';
import { createApns } from '@qdesk/channels/apns';
import { createFcm } from '@qdesk/channels/fcm';
import { createGraphEmail } from '@qdesk/channels/graph';
import { createSmtpEmail } from '@qdesk/channels/smtp';
import { createTwilioSms } from '@qdesk/channels/twilio';
import { createWebPush } from '@qdesk/channels/web-push';
import { type Channel, createVerifier, type EndUser } from '@qdesk/core';
import { systemClock } from '@qdesk/core/memory';
import { createMatchingSync } from '@qdesk/matching';
import { forwardVerifierEvents } from '@qdesk/store-postgres';
import { z } from 'zod';
import {
  type AppServices,
  type ComposeOptions,
  closeAll,
  expiredSignIns,
  noteAuthorAudit,
  openAppStores,
  selfServeUrlOf,
  withMatchingDirectory,
} from './compose.js';
import { type AppEnv, EnvError } from './config.js';
import { readDirectorySources } from './directory-sources.js';
import { appDirectorySync } from './directory-sync.js';
import { tellOldNumber } from './enrolment.js';
import { verifierPorts } from './stores.js';
import { startSweeper } from './sweeper.js';

const endUsersSchema = z.array(
  z
    .object({
      id: z.string().min(1).max(128),
      email: z.email(),
      displayName: z.string().min(1).max(200),
      mobilePhone: z
        .string()
        .regex(/^\+[1-9]\d{6,14}$/, 'an E.164 number such as +15551234567')
        .nullable(),
      customerId: z.string().optional(),
      devices: z
        .array(
          z.object({
            id: z.string().min(1),
            platform: z.enum(['ios', 'android', 'web']),
            pushAddress: z.string().min(1),
            notificationPermission: z.enum(['granted', 'denied', 'default', 'unknown']),
          }),
        )
        .default([]),
    })
    .strict(),
);

function readJson(path: string, variable: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new EnvError(`${variable}: cannot read JSON from ${path} (${(error as Error).message})`);
  }
}

/**
 * Real mode: Autotask, whichever channels the environment configures, and a database (DATABASE_URL, or PGlite in
 * QDESK_DATA_DIR; never memory).
 */
export async function composeReal(env: AppEnv, options: ComposeOptions = {}): Promise<AppServices> {
  const clock = options.clock ?? systemClock;
  const tenantId = env.QDESK_TENANT_ID;
  // The file is optional when directory sources (QDESK_DIRECTORY_SOURCES_FILE) bring the end-users.
  const parsed = endUsersSchema.safeParse(
    env.QDESK_DIRECTORY_FILE ? readJson(env.QDESK_DIRECTORY_FILE, 'QDESK_DIRECTORY_FILE') : [],
  );
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `  [${i.path.join('.')}] ${i.message}`).join('\n');
    throw new EnvError(`QDESK_DIRECTORY_FILE: invalid end-user list:\n${issues}`);
  }
  const sources = env.QDESK_DIRECTORY_SOURCES_FILE
    ? readDirectorySources(env.QDESK_DIRECTORY_SOURCES_FILE)
    : [];
  const opened = await openAppStores(env, options);
  const closers: (() => Promise<void> | void)[] = [() => opened.close()];
  const closeEverything = () => closeAll(closers.map((close) => async () => close()));
  try {
    const { audit, mappings } = opened;
    const psa = createAutotaskAdapter({
      username: env.AUTOTASK_USERNAME!,
      secret: env.AUTOTASK_SECRET!,
      integrationCode: env.AUTOTASK_INTEGRATION_CODE!,
      ...(env.AUTOTASK_ZONE_URL ? { zoneUrl: env.AUTOTASK_ZONE_URL } : {}),
      notes: { onAuthorFallback: noteAuthorAudit(audit, tenantId, clock) },
    });
    const sync = createMatchingSync({
      psa,
      store: mappings,
      directory: opened.directory,
      tenantId,
      clock,
      audit,
    });
    const stores = withMatchingDirectory(opened, sync, tenantId);
    const { directory } = stores;
    // The file is the source of end-users; devices they enrolled at run time are kept by the import.
    await directory.putMany(parsed.data.map((u): EndUser => ({ ...u, tenantId })));
    const sms = env.TWILIO_ACCOUNT_SID
      ? createTwilioSms({
          accountSid: env.TWILIO_ACCOUNT_SID,
          authToken: env.TWILIO_AUTH_TOKEN!,
          ...(env.TWILIO_FROM ? { from: env.TWILIO_FROM } : {}),
          ...(env.TWILIO_MESSAGING_SERVICE_SID
            ? { messagingServiceSid: env.TWILIO_MESSAGING_SERVICE_SID }
            : {}),
        })
      : undefined;
    // Email codes go by SMTP or by Microsoft Graph (config refuses both). Either way the verifier offers them only to a
    // customer whose policy turns email on with a risk acceptance: NIST SP 800-63B rev 4 forbids email out of band.
    const smtp = env.SMTP_HOST
      ? createSmtpEmail({
          from: env.SMTP_FROM!,
          smtp: {
            host: env.SMTP_HOST,
            ...(env.SMTP_PORT ? { port: env.SMTP_PORT, secure: env.SMTP_PORT === 465 } : {}),
            ...(env.SMTP_USER ? { auth: { user: env.SMTP_USER, pass: env.SMTP_PASSWORD ?? '' } } : {}),
          },
        })
      : undefined;
    if (smtp) closers.push(() => smtp.close());
    const email =
      smtp ??
      (env.QDESK_GRAPH_TENANT_ID
        ? createGraphEmail({
            tenantId: env.QDESK_GRAPH_TENANT_ID,
            clientId: env.QDESK_GRAPH_CLIENT_ID!,
            clientSecret: env.QDESK_GRAPH_CLIENT_SECRET!,
            sender: env.QDESK_GRAPH_SENDER!,
          })
        : undefined);
    const push: Channel[] = [];
    if (env.VAPID_PUBLIC_KEY) {
      push.push(
        createWebPush({
          vapid: {
            publicKey: env.VAPID_PUBLIC_KEY,
            privateKey: env.VAPID_PRIVATE_KEY!,
            subject: env.VAPID_SUBJECT!,
          },
        }),
      );
    }
    if (env.FCM_SERVICE_ACCOUNT_FILE)
      push.push(createFcm({ serviceAccount: readFileSync(env.FCM_SERVICE_ACCOUNT_FILE, 'utf8') }));
    if (env.APNS_KEY_FILE) {
      const apns = createApns({
        teamId: env.APNS_TEAM_ID!,
        keyId: env.APNS_KEY_ID!,
        privateKey: readFileSync(env.APNS_KEY_FILE, 'utf8'),
        topic: env.APNS_TOPIC!,
        host: env.APNS_ENVIRONMENT,
      });
      closers.push(() => apns.close());
      push.push(apns);
    }
    push.push(...(options.extraPush ?? []));
    const verifier = createVerifier({
      secret: env.QDESK_SECRET!,
      ...verifierPorts(stores),
      psa,
      clock,
      channels: { ...(sms ? { sms } : {}), ...(email ? { email } : {}), ...(push.length ? { push } : {}) },
      // The NIST SP 800-63B rev 4 defaults; administrators layer each customer's policy on top (admin page).
      ...(options.policy ? { policy: options.policy } : {}),
      ...(env.QDESK_MSP_NAME ? { mspName: env.QDESK_MSP_NAME } : {}),
      ...selfServeUrlOf(env),
    });
    const stopForwarding = forwardVerifierEvents(verifier.events, stores.bus);
    closers.unshift(stopForwarding);
    const sweeper = startSweeper(verifier, { upkeep: expiredSignIns(stores, clock) });
    closers.unshift(() => sweeper.stop());
    const notices = {
      sms: sms ?? null,
      email: email ?? null,
      selfServeUrl: selfServeUrlOf(env).selfServeUrl ?? null,
    };
    const mspName = env.QDESK_MSP_NAME ?? 'QDesk';
    const directorySync = appDirectorySync(stores, sources, {
      tenantId,
      clock,
      tellOldNumber: tellOldNumber({ notices, tenantId, mspName, audit, clock }),
    });
    directorySync.startSchedule();
    closers.unshift(() => directorySync.stop());
    return {
      demo: false,
      tenantId,
      verifier,
      directory,
      audit,
      stores,
      psa,
      notices,
      outbox: null,
      autotask: null,
      mappings,
      sync,
      directorySync,
      webhookSecret: env.AUTOTASK_WEBHOOK_SECRET ?? null,
      vapidPublicKey: env.VAPID_PUBLIC_KEY ?? null,
      cookieKey: `${env.QDESK_SECRET}:cookies`,
      resetToolToken: env.QDESK_RESET_TOOL_TOKEN ?? null,
      mspName,
      adminRole: env.QDESK_OIDC_ADMIN_ROLE,
      clock,
      close: closeEverything,
    };
  } catch (error) {
    await closeEverything();
    throw error;
  }
}
