import type { AuditRecord } from '@qdesk/core';
import { createManualClock, type ManualClock } from '@qdesk/core/memory';
import { createApp } from './app.js';
import { type AppServices, composeDemo } from './compose.js';
import { readEnv } from './config.js';
import { type DemoBrowsers, demoBrowsers } from './demo-browser.test-helpers.js';

export { type Browser, json } from './demo-browser.test-helpers.js';

// The app in demo mode, driven in-process through `app.request`, with a clock tests can move and sign-ins as any
// demo staff member or end-user.

export const ORIGIN = 'http://127.0.0.1';

export interface TestApp extends DemoBrowsers {
  services: AppServices;
  clock: ManualClock;
  app: ReturnType<typeof createApp>['app'];
  /** The newest code sent to a phone number or email address (what the caller reads back). */
  codeSentTo(to: string): string;
  close(): Promise<void>;
}

/** The demo app; `variables` add to its environment (an identity provider, for example). */
export async function startTestApp(variables: Record<string, string> = {}): Promise<TestApp> {
  const clock = createManualClock(Date.UTC(2026, 10, 24, 9, 0, 0));
  const env = readEnv({ PORT: '0', ...variables });
  const services = await composeDemo(env, { clock, quiet: true, stores: { kind: 'memory' } });
  const { app } = createApp(services, env);
  const browsers = demoBrowsers(ORIGIN, async (url, init) => app.request(url, init));
  return {
    services,
    clock,
    app,
    ...browsers,
    codeSentTo(to) {
      for (const channel of [services.outbox!.sms, services.outbox!.email]) {
        const m = channel.last(to)?.message;
        if (m && m.route !== 'push' && 'code' in m.context) return m.context.code;
      }
      throw new Error(`no code was sent to ${to}`);
    },
    close: () => services.close(),
  };
}

/** Every audit record of the app's tenant, oldest first (the store's query reads newest first). */
export async function auditTrail(services: Pick<AppServices, 'audit' | 'tenantId'>): Promise<AuditRecord[]> {
  return (await services.audit.query(services.tenantId, { limit: 1_000_000 })).reverse();
}
