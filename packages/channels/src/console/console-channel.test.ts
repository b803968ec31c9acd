import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { runChannelConformance } from '@qdesk/core/testing';
import { describe, expect, it } from 'vitest';
import { context, device, emailMessage, pushMessage, smsMessage } from '../test-support/messages.js';
import { createConsoleChannel } from './console-channel.js';

const printed: string[] = [];
const logger = { info: (text: string) => void printed.push(text) };

// Both routes against the same kit: addresses the outbox is told to refuse stand in for a provider's refusals.
const routes = [
  {
    route: 'sms',
    message: (to = '+15005550006') => smsMessage({ to }),
    dead: '+15005550001',
    busy: '+15005550429',
  },
  {
    route: 'email',
    message: (to = 'jo.user@contoso.example') => emailMessage({ to }),
    dead: 'gone@contoso.example',
    busy: 'busy@contoso.example',
  },
  {
    route: 'push',
    message: (id = 'dev_android') => pushMessage(device('android', 'fcm-token', id)),
    dead: 'dev_dead',
    busy: 'dev_busy',
  },
] as const;

for (const { route, message, dead, busy } of routes) {
  runChannelConformance({
    name: `console (${route})`,
    create: () => {
      const channel = createConsoleChannel(route, { logger });
      channel.failFor(dead, {
        status: 'permanent_failure',
        reason: 'address dead (simulated)',
        scope: 'address',
      });
      channel.failFor(busy, { status: 'transient_failure', reason: 'provider down (simulated)' });
      return channel;
    },
    acceptedMessage: () => message(),
    permanentFailureMessage: () => message(dead),
    transientFailureMessage: () => message(busy),
    // No logs hook: printing the message, code included, is what this channel is for.
    inspect: { received: async () => [...printed] },
  });
}

describe('createConsoleChannel', () => {
  it('prints what was sent, code included, and keeps it in the outbox', async () => {
    const lines: string[] = [];
    const channel = createConsoleChannel('email', {
      logger: { info: (t) => void lines.push(t) },
      now: () => 42,
    });
    const message = emailMessage();
    expect(await channel.send(message)).toEqual({ status: 'accepted', providerMessageId: 'outbox-1' });
    expect(lines).toEqual([
      `[console-email] Email to ${message.to} (session ${message.sessionId}) accepted\n` +
        `    Subject: ${message.subject}\n    ${message.text}`,
    ]);
    expect(lines[0]).toContain(context.code);
    expect(channel.last(message.to)).toEqual({ at: 42, message });
  });

  it('prints a refused send as not sent, and keeps nothing', async () => {
    const lines: string[] = [];
    const channel = createConsoleChannel('push', {
      name: 'demo-push',
      logger: { info: (t) => void lines.push(t) },
    });
    const message = pushMessage(device('ios', 'a'.repeat(64), 'dev-9'));
    channel.failFor('dev-9', { status: 'permanent_failure', reason: 'token dead' });
    expect(await channel.send(message)).toEqual({ status: 'permanent_failure', reason: 'token dead' });
    expect(lines[0]).toMatch(
      /^\[demo-push\] Push to device dev-9 \(ios\) for challenge sess_push_7f3a, TTL 60s NOT SENT \(permanent_failure: token dead\)/,
    );
    expect(lines[0]).toContain(message.body);
    expect(channel.messages()).toEqual([]);
  });

  it('prints nothing for a message of another route', async () => {
    const lines: string[] = [];
    const channel = createConsoleChannel('sms', { logger: { info: (t) => void lines.push(t) } });
    await expect(channel.send(emailMessage())).rejects.toThrow();
    expect(lines).toEqual([]);
  });

  it('runs the README example (examples/console-demo.ts) as a user would', async () => {
    const packageDir = fileURLToPath(new URL('../..', import.meta.url));
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--conditions=qdesk-source', '--import', 'tsx', 'examples/console-demo.ts'],
      { cwd: packageDir, timeout: 20_000 },
    );
    expect(stdout).toContain('[console-sms] SMS to +15550100001 (session demo-1) accepted');
    expect(stdout).toContain('QDesk code 482913');
    expect(stdout).toContain('NOT SENT (permanent_failure: token dead (simulated))');
    expect(stdout).toContain('Outbox: 1 SMS, 0 push');
  });
});
