import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AuditRecord, createVerifier, type VerifierConfig } from '@qdesk/core';
import {
  createDemoData,
  createManualClock,
  createMemoryAuditLog,
  createMemoryDirectory,
  createMemoryPsa,
  createMemoryRateCounter,
  createMemorySessionStore,
  createOutboxChannel,
} from '@qdesk/core/memory';
import { runAuditLogConformance, runRateCounterConformance } from '@qdesk/core/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { createFileAuditLog, createFileRateCounter } from './file-stores.js';
import { main } from './reset-password.js';

const SECRET = 'reset-gate-test-secret-0123456789-abcdef';

/** The app's verifier and the reset tool's, built from the same secret and sharing the counters and audit log. */
function deployment(shared: Pick<VerifierConfig, 'counters' | 'audit'> = {}, secret = SECRET) {
  const demo = createDemoData();
  const clock = createManualClock();
  const sms = createOutboxChannel('sms', { now: clock.now });
  const counters = shared.counters ?? createMemoryRateCounter();
  const audit = shared.audit ?? createMemoryAuditLog();
  const app = createVerifier({
    secret,
    directory: createMemoryDirectory(demo.endUsers),
    psa: createMemoryPsa(demo),
    store: createMemorySessionStore({ now: clock.now }),
    channels: { sms },
    counters,
    audit,
    clock,
  });
  const tool = () => createVerifier({ secret, directory: createMemoryDirectory([]), counters, audit, clock });
  const actor = { tenantId: demo.tenantId, technicianId: 'tech-1', technicianName: 'Sam from IT' };

  /** The technician verifies Ana Silva on ticket 1001 by SMS, then asks QDesk for a grant. */
  const verifyAndGrant = async (action = 'reset_password', ttlMs?: number) => {
    const { session } = await app.startFromTicket({ actor, ticketId: '1001' });
    await app.send({ actor, sessionId: session.id, method: 'sms' });
    const sent = sms.last()?.message;
    const code = sent?.route === 'sms' && 'code' in sent.context ? sent.context.code : '';
    const { correct } = await app.checkCode({ actor, sessionId: session.id, code });
    expect(correct).toBe(true);
    const request = { tenantId: demo.tenantId, endUserId: 'eu-ana', ticketId: '1001', action };
    return (await app.requireVerified(ttlMs === undefined ? request : { ...request, ttlMs })).grant;
  };

  /** Runs the tool's main function as the command line would, capturing what it prints. */
  const run = async (args: string[], env: Record<string, string> = {}) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main({
      args,
      env,
      verifier: tool(),
      tenantId: demo.tenantId,
      out: (line) => out.push(line),
      err: (line) => err.push(line),
    });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };
  return { demo, clock, audit, app, verifyAndGrant, run };
}

describe('the reset tool behind the QDesk gate', () => {
  it('resets once with a grant from a verification, and refuses the same grant again', async () => {
    const d = deployment();
    const grant = await d.verifyAndGrant();

    const first = await d.run(['--user', 'eu-ana', '--ticket', '1001', grant]);
    expect(first).toMatchObject({ code: 0, err: '' });
    expect(first.out).toContain(
      'Grant accepted: reset_password for eu-ana on ticket 1001, verified by tech-1',
    );
    expect(first.out).toContain('SIMULATED');

    const again = await d.run([grant]);
    expect(again).toMatchObject({ code: 1, out: '' });
    expect(again.err).toContain('REFUSED: the grant was used already');
  });

  it('takes the grant from QDESK_GRANT', async () => {
    const d = deployment();
    expect(await d.run([], { QDESK_GRANT: await d.verifyAndGrant() })).toMatchObject({ code: 0 });
  });

  it('refuses to run without a grant', async () => {
    const d = deployment();
    const none = await d.run([]);
    expect(none).toMatchObject({ code: 1, out: '' });
    expect(none.err).toContain('REFUSED: no grant');
    expect((await d.run([], { QDESK_GRANT: '  ' })).code).toBe(1);
  });

  it('refuses a tampered grant, and one signed with another secret, without spending the real one', async () => {
    const d = deployment();
    const grant = await d.verifyAndGrant();
    const [header, payload, signature] = grant.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    const tampered = [
      header,
      Buffer.from(JSON.stringify({ ...claims, sub: 'eu-ben' })).toString('base64url'),
      signature,
    ];
    const refused = await d.run([tampered.join('.')]);
    expect(refused).toMatchObject({ code: 1, out: '' });
    expect(refused.err).toContain('was not signed by this QDesk');

    // A grant from another deployment (another secret) for the same end-user and ticket.
    const other = deployment({}, 'another-deployment-secret-0123456789-abcdef');
    expect((await d.run([await other.verifyAndGrant()])).err).toContain('was not signed by this QDesk');

    expect((await d.run([grant])).code).toBe(0); // the real grant still works once
  });

  it('refuses an expired grant, one for another action, and one for another end-user or ticket', async () => {
    const d = deployment();
    const short = await d.verifyAndGrant('reset_password', 60_000);
    d.clock.advance(61_000);
    expect((await d.run([short])).err).toContain('REFUSED: the grant has expired');

    const mfa = await d.verifyAndGrant('reset_mfa');
    expect((await d.run([mfa])).err).toContain(
      'REFUSED: the grant is for another action, not reset_password',
    );

    const grant = await d.verifyAndGrant();
    expect((await d.run(['--user', 'eu-ben', grant])).err).toContain('another end-user');
    expect((await d.run(['--ticket', '1002', grant])).err).toContain('another ticket');
  });

  it('leaves grant_issued, grant_used and grant_refused in the shared audit log, never the grant', async () => {
    const audit = createMemoryAuditLog();
    const d = deployment({ audit });
    const grant = await d.verifyAndGrant();
    await d.run([grant]);
    await d.run([grant]);
    const trail = audit.all().filter((r) => r.action.startsWith('grant_'));
    expect(trail.map((r) => `${r.action}:${r.result}`)).toEqual([
      'grant_issued:ok',
      'grant_used:ok',
      'grant_refused:error',
    ]);
    expect(trail[2]!.detail).toMatchObject({ action: 'reset_password', error: 'grant_invalid' });
    expect(JSON.stringify(audit.all())).not.toContain(grant);
  });

  it('answers 2 to bad usage, before looking at the grant', async () => {
    const d = deployment();
    const bad = await d.run(['--usr', 'eu-ana', await d.verifyAndGrant()]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('Usage: reset-password');
  });
});

describe('the command line: separate runs share the stores in the tool folder', () => {
  const dirs: string[] = [];
  const folder = () => {
    const dir = mkdtempSync(join(tmpdir(), 'qdesk-reset-gate-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('a grant spent by one run is refused by the next, and both runs are audited in the folder', async () => {
    const dir = folder();
    // Two runs of the tool are two verifiers over the same folder, as two processes would be.
    const run = () => createFileRateCounter(dir);
    const d = deployment({ counters: run(), audit: createFileAuditLog(dir) });
    const grant = await d.verifyAndGrant();
    expect((await d.run([grant])).code).toBe(0);
    const later = deployment({ counters: run(), audit: createFileAuditLog(dir) });
    expect((await later.run([grant])).err).toContain('REFUSED: the grant was used already');
    const lines = readFileSync(join(dir, 'audit.jsonl'), 'utf8').trim().split('\n');
    expect(lines.map((l) => JSON.parse(l).action)).toEqual(
      expect.arrayContaining(['grant_issued', 'grant_used', 'grant_refused']),
    );
  });

  // The folder's stores are ports like any other: they pass core's conformance kits.
  let current = '';
  const hitsFile = (tenantId: string, key: string) =>
    join(
      current,
      'counters',
      `${createHash('sha256')
        .update(JSON.stringify([tenantId, key]))
        .digest('hex')}.json`,
    );
  runRateCounterConformance({
    name: 'reset tool folder',
    create: () => {
      current = folder();
      return createFileRateCounter(current);
    },
    inspect: {
      hits: async (tenantId, key) => {
        try {
          return (JSON.parse(readFileSync(hitsFile(tenantId, key), 'utf8')) as number[]).length;
        } catch {
          return 0;
        }
      },
    },
  });
  runAuditLogConformance({
    name: 'reset tool folder',
    create: () => {
      current = folder();
      return createFileAuditLog(current);
    },
    capabilities: { query: false },
    inspect: {
      records: async (tenantId) => {
        let text = '';
        try {
          text = readFileSync(join(current, 'audit.jsonl'), 'utf8');
        } catch {
          return [];
        }
        return text
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as AuditRecord)
          .filter((r) => r.tenantId === tenantId);
      },
    },
  });
});
