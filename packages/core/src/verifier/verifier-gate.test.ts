import { describe, expect, it } from 'vitest';
import type { Actor } from '../types.js';
import { setup } from './setup.test-helpers.js';

// Each defect an adversarial review found in the verifier, as the behaviour that now holds. Every test here failed
// on the code before the review's fixes.

const _second: Actor = { tenantId: 'demo-msp', technicianId: 'tech-2', technicianName: 'Kim Lee' };
const _admin: Actor = {
  tenantId: 'demo-msp',
  technicianId: 'admin-1',
  technicianName: 'Alex Admin',
  role: 'admin',
};

describe('the gate before a reset', () => {
  const verified = async () => {
    const t = setup();
    const { session } = await t.verifier.startFromTicket({ actor: t.actor, ticketId: '1001' });
    await t.verifier.send({ actor: t.actor, sessionId: session.id, method: 'sms' });
    await t.verifier.checkCode({ actor: t.actor, sessionId: session.id, code: t.lastCode() });
    return { t, session };
  };
  const request = { tenantId: 'demo-msp', endUserId: 'eu-ana', ticketId: '1001', action: 'reset_password' };

  it('refuses a grant until the end-user is verified on that ticket', async () => {
    const t = setup();
    await expect(t.verifier.requireVerified(request)).rejects.toMatchObject({ code: 'not_verified' });
    const { session } = await t.verifier.startFromTicket({ actor: t.actor, ticketId: '1001' });
    await t.verifier.send({ actor: t.actor, sessionId: session.id, method: 'sms' });
    await expect(t.verifier.requireVerified(request)).rejects.toMatchObject({ code: 'not_verified' });
    // Each refused request is on file: a reset tool asking too early is worth seeing.
    const refused = t.audit.all().filter((r) => r.action === 'grant_issued' && r.result === 'error');
    expect(refused).toHaveLength(2);
    expect(refused[0]).toMatchObject({
      tenantId: 'demo-msp',
      actor: { type: 'system' },
      detail: { action: 'reset_password', ticketId: '1001', error: 'not_verified' },
    });
  });

  it('issues one signed, single-use grant bound to end-user, ticket, technician and action', async () => {
    const { t, session } = await verified();
    const { grant, claims } = await t.verifier.requireVerified(request);
    expect(claims).toMatchObject({
      endUserId: 'eu-ana',
      ticketId: '1001',
      technicianId: 'tech-1',
      sessionId: session.id,
      customerId: 'cust-northwind',
    });
    await expect(t.verifier.requireVerified(request)).rejects.toMatchObject({ code: 'not_verified' });
    await expect(t.verifier.verifyGrant({ grant, action: 'reset_mfa' })).rejects.toMatchObject({
      code: 'grant_invalid',
    });
    await expect(
      t.verifier.verifyGrant({ grant, action: 'reset_password', endUserId: 'eu-ben' }),
    ).rejects.toMatchObject({
      code: 'grant_invalid',
    });
    const [header, payload, signature] = grant.split('.');
    const forged = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    forged.sub = 'eu-ben';
    const tampered = `${header}.${Buffer.from(JSON.stringify(forged)).toString('base64url')}.${signature}`;
    await expect(t.verifier.verifyGrant({ grant: tampered, action: 'reset_password' })).rejects.toMatchObject(
      {
        code: 'grant_invalid',
      },
    );
    await expect(
      t.verifier.verifyGrant({ grant, action: 'reset_password', endUserId: 'eu-ana', ticketId: '1001' }),
    ).resolves.toMatchObject(claims);
    await expect(t.verifier.verifyGrant({ grant, action: 'reset_password' })).rejects.toMatchObject({
      code: 'grant_invalid',
    });
    const actions = t.audit.all().map((r) => `${r.action}:${r.result}`);
    expect(actions).toContain('grant_issued:ok');
    expect(actions).toContain('grant_used:ok');
    expect(JSON.stringify(t.audit.all())).not.toContain(grant);
  });

  it('each approval allows one grant per action, newest approval first', async () => {
    const { t } = await verified();
    t.clock.advance(1000);
    const { session: again } = await t.verifier.startFromTicket({ actor: t.actor, ticketId: '1001' });
    await t.verifier.send({ actor: t.actor, sessionId: again.id, method: 'sms' });
    await t.verifier.checkCode({ actor: t.actor, sessionId: again.id, code: t.lastCode() });
    const first = await t.verifier.requireVerified(request);
    expect(first.claims.sessionId).toBe(again.id);
    const second = await t.verifier.requireVerified(request);
    expect(second.claims.sessionId).not.toBe(again.id);
    await expect(t.verifier.requireVerified(request)).rejects.toMatchObject({
      code: 'not_verified',
      details: { reason: 'grant_already_issued' },
    });
  });

  it('a grant expires', async () => {
    const { t } = await verified();
    const { grant } = await t.verifier.requireVerified({ ...request, ttlMs: 60_000 });
    t.clock.advance(61_000);
    await expect(t.verifier.verifyGrant({ grant, action: 'reset_password' })).rejects.toMatchObject({
      code: 'grant_invalid',
      details: { reason: 'expired' },
    });
  });

  it('an approval older than the window does not count', async () => {
    const { t } = await verified();
    t.clock.advance(16 * 60_000);
    await expect(t.verifier.requireVerified(request)).rejects.toMatchObject({ code: 'not_verified' });
  });
});

describe('reverse verification', () => {
  it('the end-user checks the technician by typing the number the technician reads; it never verifies the end-user', async () => {
    const t = setup('nist-defaults');
    const started = await t.verifier.startReverse({ actor: t.actor, endUserId: 'eu-ana', ticketId: '1001' });
    expect(started.session).toMatchObject({
      purpose: 'reverse',
      method: 'number_match',
      status: 'awaiting_push',
    });
    const push = t.push.last()!.message;
    expect(push.route === 'push' && push.body).toMatch(/Sam Rivera from QDesk .*ticket T20261124\.0001/);
    const [challenge] = await t.verifier.pendingChallenges({
      tenantId: t.demo.tenantId,
      endUserId: 'eu-ana',
    });
    expect(challenge).toMatchObject({ purpose: 'reverse', method: 'number_match' });
    const answer = await t.typeNumber('eu-ana', started.display.matchNumber!);
    expect(answer.status).toBe('approved');
    expect(t.psa.notes('1001')[0]!.title).toBe('QDesk: Technician Identity Confirmed by End-User: Ana Silva');
    await expect(
      t.verifier.requireVerified({
        tenantId: 'demo-msp',
        endUserId: 'eu-ana',
        ticketId: '1001',
        action: 'reset_password',
      }),
    ).rejects.toMatchObject({ code: 'not_verified' });
  });
});

describe('reverse verification without the app', () => {
  it('texts the end-user a link to the self-serve page, with no code in it, and the request waits there', async () => {
    const t = setup('nist-defaults');
    const started = await t.verifier.startReverse({
      actor: t.actor,
      endUserId: 'eu-chloe',
      ticketId: '1003',
    });
    expect(started.session).toMatchObject({ purpose: 'reverse', status: 'awaiting_push' });
    const sms = t.sms.last()!.message;
    expect(sms.route === 'sms' && sms.context).toMatchObject({
      kind: 'reverse_notice',
      technicianName: 'Sam Rivera',
    });
    expect(sms.route === 'sms' && sms.text).toMatch(
      /^Sam Rivera from QDesk is calling you about ticket T20261124\.0003\./,
    );
    expect(sms.route === 'sms' && sms.text).not.toContain(started.display.matchNumber!);
    const answer = await t.typeNumber('eu-chloe', started.display.matchNumber!);
    expect(answer.status).toBe('approved');
  });

  it('an end-user with neither the app nor a phone cannot be reached, and nothing is left open', async () => {
    const t = setup('nist-defaults');
    await t.directory.reportPermission!(t.demo.tenantId, 'eu-dev', 'dev-dev-web', 'denied', t.clock.now());
    await expect(
      t.verifier.startReverse({ actor: t.actor, endUserId: 'eu-dev', ticketId: '1004' }),
    ).rejects.toMatchObject({ code: 'no_delivery_route' });
    const [left] = await t.store.listForTicket(t.demo.tenantId, '1004');
    expect(left?.status).toBe('cancelled');
    await expect(t.verifier.startFromTicket({ actor: t.actor, ticketId: '1004' })).resolves.toMatchObject({
      resumed: false,
    });
  });
});
