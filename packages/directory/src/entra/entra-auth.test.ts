import { isQdeskError } from '@qdesk/core';
import { describe, expect, it, vi } from 'vitest';
import type { EntraWarning } from './entra-config.js';
import { readAll, rejectionOf, sourceOn, useGraphFake } from './entra-setup.test-helpers.js';

let clock = Date.UTC(2025, 0, 6, 9, 0, 0);
const now = () => clock;
const graph = useGraphFake({ now, tokenLifetimeSeconds: 3600 });

const reasonOf = (error: Error) => (isQdeskError(error) ? error.details.reason : undefined);

/** Everything an error exposes: what a log line or an API answer could carry. */
const exposed = (error: Error) =>
  [error.message, JSON.stringify(isQdeskError(error) ? error.details : {}), String(error.cause ?? '')].join(
    '\n',
  );

describe('createEntraSource: access token', () => {
  it('asks for a token with the client credentials and reuses it until shortly before it expires', async () => {
    graph.fake.data.generateUsers(30);
    const source = sourceOn(graph, { now, pageSize: 10 });

    await readAll(source, null);
    clock += 3_000_000; // 50 minutes: within the hour, more than five minutes before the end
    await readAll(source, null);
    expect(graph.fake.count('token')).toBe(1);

    clock += 360_000; // 56 minutes: inside the last five minutes
    await readAll(source, null);
    expect(graph.fake.count('token')).toBe(2);
    const token = graph.fake.requests.find((r) => r.kind === 'token')!;
    expect(token.url).toBe(
      `https://login.microsoftonline.com/${graph.fake.credentials.tenantId}/oauth2/v2.0/token`,
    );
  });

  it('gets a new token once when Graph answers 401, and carries on', async () => {
    graph.fake.data.generateUsers(30);
    const source = sourceOn(graph, { now, pageSize: 10 });
    const pages = [];
    for await (const page of source.read({ cursor: null })) {
      pages.push(page);
      if (pages.length === 1) graph.fake.expireTokens();
    }

    expect(pages.flatMap((p) => p.changes)).toHaveLength(30);
    expect(graph.fake.count('token')).toBe(2);
    expect(graph.fake.requests.filter((r) => r.kind === 'delta').map((r) => r.status)).toEqual([
      200, 401, 200, 200,
    ]);
  });

  it('fails with reason unauthorized when Graph refuses a fresh token too', async () => {
    graph.fake.data.generateUsers(2);
    // Graph refuses every token (a disabled service principal, say): every Graph call answers 401.
    graph.fake.tokensAccepted = false;
    const source = sourceOn(graph, { now });

    const error = await rejectionOf(readAll(source, null));

    expect(reasonOf(error)).toBe('unauthorized');
    expect(error.message).toMatch(/check that tenantId is the customer's tenant/);
    expect(graph.fake.count('delta')).toBe(2);
  });
});

describe('createEntraSource: refusals say what to fix and never show a secret', () => {
  it('a wrong client secret: check the secret', async () => {
    const secret = 'wrong~Secret.Value_abcdefghijklmnopqrst';
    const error = await rejectionOf(readAll(sourceOn(graph, { clientSecret: secret }), null));

    expect(error.name).toBe('AdapterError');
    expect(reasonOf(error)).toBe('credentials');
    expect(error.message).toMatch(/invalid_client AADSTS7000215.*check clientSecret/);
    expect(exposed(error)).not.toContain(secret);
    expect(exposed(error)).not.toContain(graph.fake.credentials.clientSecret);
  });

  it('an app without a service principal in the tenant: grant admin consent', async () => {
    const error = await rejectionOf(
      readAll(sourceOn(graph, { clientId: '99999999-7777-4888-9999-aaaaaaaaaaaa' }), null),
    );

    expect(reasonOf(error)).toBe('not_consented');
    expect(error.message).toContain(
      `grant admin consent (https://login.microsoftonline.com/${graph.fake.credentials.tenantId}/adminconsent` +
        '?client_id=99999999-7777-4888-9999-aaaaaaaaaaaa)',
    );
  });

  it('an unknown tenant: use the tenant id or a verified domain', async () => {
    const error = await rejectionOf(readAll(sourceOn(graph, { tenantId: 'unknown.example' }), null));

    expect(reasonOf(error)).toBe('tenant_not_found');
    expect(error.message).toMatch(/no tenant named by tenantId/);
  });

  it('no User.Read.All: grant it and admin consent', async () => {
    graph.fake.permissions.users = false;
    const error = await rejectionOf(readAll(sourceOn(graph), null));

    expect(reasonOf(error)).toBe('forbidden');
    expect(error.message).toMatch(/403 Authorization_RequestDenied.*User\.Read\.All.*admin consent/);
    expect(isQdeskError(error) && error.details.requestId).toMatch(/^fake-request-/);
  });

  it('puts no secret and no access token in any error, whatever failed', async () => {
    graph.fake.data.generateUsers(3);
    // Each fault is consumed in full (two attempts with maxRetries 1), so none leaks into the next case.
    const failures: Array<[() => void, 'first' | 'incremental']> = [
      [() => graph.fake.fail({ on: 'token', status: 503, times: 2 }), 'first'],
      [() => graph.fake.fail({ on: 'delta', status: 429, retryAfter: '1', times: 2 }), 'first'],
      [() => graph.fake.fail({ on: 'delta', network: true, times: 2 }), 'first'],
      [() => graph.fake.fail({ on: 'batch', status: 400 }), 'first'],
      [() => graph.fake.fail({ on: 'methods', status: 500 }), 'first'],
      [() => graph.fake.expireDeltaLinks(), 'incremental'],
      [
        () => {
          graph.fake.tokensAccepted = false;
        },
        'incremental',
      ],
    ];
    const reasons: unknown[] = [];
    for (const [inject, when] of failures) {
      const source = sourceOn(graph, { now, retry: { maxRetries: 1 } });
      const cursor = when === 'incremental' ? (await readAll(source, null)).cursor : null;
      inject();
      const error = await rejectionOf(readAll(source, cursor));
      graph.fake.tokensAccepted = true;
      expect(isQdeskError(error)).toBe(true);
      expect(exposed(error)).not.toContain(graph.fake.credentials.clientSecret);
      expect(exposed(error)).not.toMatch(/fake-access-token/);
      reasons.push(reasonOf(error));
    }
    expect(reasons).toEqual([
      'unavailable',
      'throttled',
      'unavailable',
      'refused',
      'unavailable',
      'resync_required',
      'unauthorized',
    ]);
  });
});

describe('createEntraSource: phone methods refused (403)', () => {
  it('reads on without MFA phones, warns once, and asks for no more methods in that read', async () => {
    graph.fake.data.generateUsers(45);
    graph.fake.permissions.methods = false;
    const warnings: EntraWarning[] = [];

    const { records } = await readAll(
      sourceOn(graph, { pageSize: 10, onWarning: (w) => warnings.push(w) }),
      null,
    );

    expect(records).toHaveLength(45);
    expect(records.flatMap((r) => r.phones).filter((p) => p.kind === 'mfa')).toEqual([]);
    expect(records.flatMap((r) => r.phones).some((p) => p.source === 'directory')).toBe(true);
    expect(warnings).toEqual([
      { code: 'mfa_phones_forbidden', message: expect.stringMatching(/UserAuthenticationMethod\.Read\.All/) },
    ]);
    // The first page's batch found out; the four pages after it sent none.
    expect(graph.fake.count('batch')).toBe(1);
  });

  it('is not failed by a warning hook that throws', async () => {
    graph.fake.data.generateUsers(3);
    graph.fake.permissions.methods = false;
    const onWarning = vi.fn(() => {
      throw new Error('broken hook');
    });

    const { records } = await readAll(sourceOn(graph, { onWarning }), null);

    expect(records).toHaveLength(3);
    expect(onWarning).toHaveBeenCalledTimes(1);
  });
});
