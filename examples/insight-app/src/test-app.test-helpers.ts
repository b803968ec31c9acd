import type { AuditRecord } from '@qdesk/core';
import { createManualClock, type ManualClock } from '@qdesk/core/memory';
import { createApp } from './app.js';
import { type AppServices, composeDemo } from './compose.js';
import { readEnv } from './config.js';

// The app in demo mode, driven in-process through `app.request`, with a clock tests can move and sign-ins as any
// demo staff member or end-user.

export const ORIGIN = 'http://127.0.0.1';

/** A signed-in browser: its cookie, and the CSRF token its pages carry. */
export interface Browser {
  cookie: string;
  csrf: string;
}

export interface TestApp {
  services: AppServices;
  clock: ManualClock;
  app: ReturnType<typeof createApp>['app'];
  /** A request from this origin; `as` adds that browser's cookie and CSRF token. */
  request(path: string, init?: RequestInit & { json?: unknown; as?: Browser | null }): Promise<Response>;
  /** Demo sign-in as a staff member (`tech-demo` Sam, `tech-jo` Jo, `admin-demo` Alex). */
  staff(id: 'tech-demo' | 'tech-jo' | 'admin-demo'): Promise<Browser>;
  /** Demo sign-in to the self-serve app as an end-user. */
  endUser(id: string): Promise<Browser>;
  /** The newest code sent to a phone number or email address (what the caller reads back). */
  codeSentTo(to: string): string;
  close(): Promise<void>;
}

const cookieOf = (res: Response) => (res.headers.get('set-cookie') ?? '').split(';')[0]!;

export async function startTestApp(): Promise<TestApp> {
  const clock = createManualClock(Date.UTC(2026, 10, 24, 9, 0, 0));
  const env = readEnv({ PORT: '0' });
  const services = await composeDemo(env, { clock, quiet: true, stores: { kind: 'memory' } });
  const { app } = createApp(services, env);
  const request: TestApp['request'] = async (path, init = {}) => {
    const { json, as, ...rest } = init;
    const headers = new Headers(rest.headers);
    headers.set('origin', ORIGIN);
    if (as && !headers.has('cookie')) headers.set('cookie', as.cookie);
    if (as && !headers.has('x-csrf-token')) headers.set('x-csrf-token', as.csrf);
    let body = rest.body;
    if (json !== undefined) {
      headers.set('content-type', 'application/json');
      body = JSON.stringify(json);
    }
    return app.request(`${ORIGIN}${path}`, { ...rest, headers, body });
  };
  const form = (path: string, fields: Record<string, string>) =>
    request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
  return {
    services,
    clock,
    app,
    request,
    async staff(id) {
      const cookie = cookieOf(await form('/login', { staff: id, next: '/' }));
      const page = await (await request('/insight?ticketId=1001', { headers: { cookie } })).text();
      return { cookie, csrf: /name="csrf-token" content="([^"]+)"/.exec(page)![1]! };
    },
    async endUser(id) {
      return { cookie: cookieOf(await form('/self-serve/sign-in', { endUserId: id })), csrf: '' };
    },
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

/** The JSON body of a response, typed loosely for assertions. */
// biome-ignore lint/suspicious/noExplicitAny: assertions read whatever the route answered
export const json = async (res: Response): Promise<any> => res.json();
