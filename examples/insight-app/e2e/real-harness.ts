import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpsServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getRequestListener } from '@hono/node-server';
import {
  type AutotaskFakeServer,
  FAKE_CREDENTIALS,
  startAutotaskFake,
} from '@qdesk/autotask-adapter/testing';
import { createOutboxChannel, type OutboxChannel } from '@qdesk/core/memory';
import type { Browser } from 'playwright-core';
import { DEV_END_USERS, DEV_STAFF } from '../dev/dev-idp-setup.js';
import { startTestIdp, type TestIdp } from '../dev/test-idp.js';
import { createApp } from '../src/app.js';
import { type AppServices, composeServices } from '../src/compose.js';
import { readEnv } from '../src/config.js';
import { launchChromium } from './harness.js';

// The app in real mode, as an MSP runs it: over https (a certificate made for 127.0.0.1 and localhost at start), its
// technicians and one customer's end-users signing in at a real OpenID Connect provider (the test identity provider),
// Autotask being the local fake, and a second https origin (https://localhost) that frames the Insight the way an
// Autotask ticket page does. Chromium blocks third-party cookies, as Safari does and Chrome is moving to.

export interface RealHarness {
  /** The app's origin (https://127.0.0.1:port). */
  base: string;
  /** The page that frames the Insight for a ticket, on another site (https://localhost:port). */
  framerUrl(ticketId: string): string;
  idp: TestIdp;
  fake: AutotaskFakeServer;
  services: AppServices;
  /** Push messages the verifier sent (no push service is reachable from a test machine). */
  push: OutboxChannel;
  browser: Browser;
  close(): Promise<void>;
}

const CUSTOMER = 'cust-northwind';

/** A self-signed certificate for 127.0.0.1 and localhost (openssl, from Debian's base system). */
function certificate(dir: string) {
  const [key, cert] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'ignore' },
  );
  return { key: readFileSync(key), cert: readFileSync(cert) };
}

const listen = (server: Server) =>
  new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });

export async function startRealHarness(): Promise<RealHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'qdesk-real-e2e-'));
  const tls = certificate(dir);
  let handle: ReturnType<typeof getRequestListener> | null = null;
  const appServer = createHttpsServer(tls, (req, res) => {
    if (handle) return handle(req, res);
    res.writeHead(503).end();
  });
  const framerServer = createHttpsServer(tls, (req, res) => {
    const url = new URL(req.url ?? '/', 'https://localhost');
    const ticketId = url.searchParams.get('ticket') ?? '';
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    // Like Autotask: the vendor Insight in an iframe with Autotask's own launch parameters.
    res.end(`<!DOCTYPE html><html lang="en"><head><title>Ticket ${ticketId} - PSA</title></head><body>
      <h1>Ticket ${ticketId}</h1>
      <iframe id="insight" title="QDesk Insight" width="420" height="760"
        src="${base}/insight?entityid=${ticketId}&resourceid=29682885&insightkey=k&vendorid=1&psaversion=2026.1&isdarktheme=false"></iframe>
    </body></html>`);
  });
  const [appPort, framerPort] = await Promise.all([listen(appServer), listen(framerServer)]);
  const base = `https://127.0.0.1:${appPort}`;

  const [idp, fake] = await Promise.all([
    startTestIdp({
      clients: [
        {
          clientId: 'qdesk-technicians',
          clientSecret: 'technicians-secret',
          redirectUris: [`${base}/auth/callback`],
        },
        {
          clientId: 'qdesk-end-users',
          clientSecret: 'end-users-secret',
          redirectUris: [`${base}/self-serve/auth/callback`],
        },
      ],
      users: [...DEV_STAFF, ...DEV_END_USERS],
    }),
    startAutotaskFake(),
  ]);
  const directoryFile = join(dir, 'users.json');
  writeFileSync(
    directoryFile,
    JSON.stringify([
      {
        id: 'u-ana',
        email: 'ana.silva@northwind.example',
        displayName: 'Ana Silva',
        mobilePhone: '+15550100001',
        customerId: CUSTOMER,
        devices: [],
      },
    ]),
  );
  const idpFile = join(dir, 'end-user-idps.json');
  writeFileSync(
    idpFile,
    JSON.stringify([
      {
        customerId: CUSTOMER,
        name: 'Northwind',
        issuer: idp.issuer,
        clientId: 'qdesk-end-users',
        clientSecret: 'end-users-secret',
      },
    ]),
  );
  const env = readEnv({
    PORT: '0',
    PUBLIC_URL: base,
    AUTOTASK_USERNAME: FAKE_CREDENTIALS.username,
    AUTOTASK_SECRET: FAKE_CREDENTIALS.secret,
    AUTOTASK_INTEGRATION_CODE: FAKE_CREDENTIALS.integrationCode,
    AUTOTASK_ZONE_URL: fake.zoneUrl,
    QDESK_SECRET: 'a-real-secret-of-at-least-32-characters!',
    QDESK_DIRECTORY_FILE: directoryFile,
    QDESK_OIDC_ISSUER: idp.issuer,
    QDESK_OIDC_CLIENT_ID: 'qdesk-technicians',
    QDESK_OIDC_CLIENT_SECRET: 'technicians-secret',
    QDESK_OIDC_NAME: 'MSP Login',
    QDESK_END_USER_IDP_FILE: idpFile,
    QDESK_FRAME_ANCESTORS: `https://localhost:${framerPort}`,
    QDESK_MSP_NAME: 'Acme IT',
  });
  const push = createOutboxChannel('push', { name: 'test-web-push' });
  const services = await composeServices(env, {
    stores: { kind: 'pglite', dataDir: null },
    extraPush: [push],
  });
  const { app } = createApp(services, env);
  handle = getRequestListener(app.fetch);
  // Third-party cookies blocked, as Safari does by default: only a Partitioned cookie works in the frame.
  const browser = await launchChromium(['--test-third-party-cookie-phaseout']);
  return {
    base,
    framerUrl: (ticketId) => `https://localhost:${framerPort}/ticket?ticket=${ticketId}`,
    idp,
    fake,
    services,
    push,
    browser,
    async close() {
      await browser.close();
      await Promise.all(
        [appServer, framerServer].map(
          (server) =>
            new Promise<void>((resolve) => {
              server.closeAllConnections();
              server.close(() => resolve());
            }),
        ),
      );
      await services.close();
      await Promise.all([idp.close(), fake.close()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
