import { describe, expect, it } from 'vitest';
import { accountNoticeEmail, accountNoticeMessages, accountNoticeSms } from './account-notice.js';
import { InputError, isQdeskError } from './errors.js';
import type { AccountNoticeContext } from './ports/channel.js';

const at = Date.UTC(2026, 10, 30, 12, 34, 56);
const enrolLink =
  'https://help.northwind.example/self-serve/enrol#t=Zk3qL9vXw2Rt7YpB4nHs8DcE1gMu6JaQ5oVi0TfN';
const devicesLink = 'https://help.northwind.example/devices';

const enrolment = (overrides: Partial<AccountNoticeContext> = {}): AccountNoticeContext => ({
  kind: 'enrolment_link',
  mspName: 'Northwind IT',
  link: enrolLink,
  deviceLabel: null,
  expiresInMinutes: 15,
  expiresAt: at + 15 * 60_000,
  at,
  ...overrides,
});
const deviceAdded = (overrides: Partial<AccountNoticeContext> = {}): AccountNoticeContext => ({
  kind: 'device_enrolled',
  mspName: 'Northwind IT',
  link: devicesLink,
  deviceLabel: 'Chrome on Android',
  expiresInMinutes: null,
  expiresAt: at + 60 * 60_000,
  at,
  ...overrides,
});

/** Every text a notice puts in front of the end-user, SMS and email alike. */
const allTexts = (context: AccountNoticeContext) => {
  const email = accountNoticeEmail(context);
  return [accountNoticeSms(context), email.subject, email.text, email.html];
};

/** The InputError `run` throws, checked to be one. */
function inputErrorOf(run: () => unknown): InputError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return error as InputError;
  }
  throw new Error('expected an InputError, but nothing was thrown');
}

describe('accountNoticeSms', () => {
  it('says who sends the sign-in link, what it does, when it expires, and what to do if unasked', () => {
    expect(accountNoticeSms(enrolment())).toBe(
      `Northwind IT: sign in to your self-serve app with ${enrolLink} (single use, expires in 15 min). Didn't ask? Ignore it, tell your helpdesk.`,
    );
  });

  it('names the new device, the time in UTC, the helpdesk and where to remove it', () => {
    expect(accountNoticeSms(deviceAdded())).toBe(
      `Northwind IT: new device "Chrome on Android" added to your account 2026-11-30 12:34 UTC. Not you? Call your helpdesk. Remove it: ${devicesLink}`,
    );
    expect(accountNoticeSms(deviceAdded({ link: null }))).toBe(
      'Northwind IT: new device "Chrome on Android" added to your account 2026-11-30 12:34 UTC. Not you? Call your helpdesk now to remove it.',
    );
  });

  it('tells the number a changed one replaced when, and to call the helpdesk if it was not them, in one segment', () => {
    const text = accountNoticeSms(deviceAdded({ kind: 'phone_changed', link: null, deviceLabel: null }));
    expect(text).toBe(
      'Northwind IT: the mobile number on your account was changed 2026-11-30 12:34 UTC. This number gets no more codes. Not you? Call your helpdesk now.',
    );
    expect(text.length).toBeLessThanOrEqual(160);
    const email = accountNoticeEmail(deviceAdded({ kind: 'phone_changed', link: null, deviceLabel: null }));
    expect(email.subject).toBe('Northwind IT: the mobile number on your account was changed');
    expect(email.text).toContain('If you did not ask for this change, call your helpdesk now');
    expect(email.html).not.toContain('<a ');
  });

  it('clips a long MSP name with a plain ellipsis and flattens control characters', () => {
    const text = accountNoticeSms(
      deviceAdded({ mspName: `Northwind\r\nIT ${'Managed Services '.repeat(4)}` }),
    );
    expect(text.startsWith('Northwind IT Managed Servic...: new device')).toBe(true);
    expect(text).not.toMatch(/[\r\n…]/);
  });
});

describe('accountNoticeEmail', () => {
  it('renders the sign-in link with subject, text and HTML saying the same', () => {
    const { subject, text, html } = accountNoticeEmail(enrolment());
    expect(subject).toBe('Your sign-in link for the Northwind IT self-serve app');
    expect(text).toBe(
      [
        'Northwind IT sent you this link to sign in to your self-serve app:',
        enrolLink,
        'It works once and expires in 15 minutes. Do not forward it or read it out to anyone, your helpdesk included: whoever has it can sign in as you.',
        'If you did not ask for this, ignore this email and tell your helpdesk.',
      ].join('\n\n'),
    );
    expect(html).toContain(`<p><a href="${enrolLink}">${enrolLink}</a></p>`);
    expect(html.replace(/<[^>]+>/g, '').replace(/\n/g, '')).toBe(text.replace(/\n/g, ''));
  });

  it('renders the device notice with the label, the time and where to remove it', () => {
    const { subject, text, html } = accountNoticeEmail(deviceAdded());
    expect(subject).toBe('Northwind IT: a new device was added to your account');
    expect(text).toContain(
      'A new device, "Chrome on Android", was added to your account on 2026-11-30 12:34 UTC.',
    );
    expect(text).toContain(
      `If it was not you, call your helpdesk now, and remove the device here: ${devicesLink}`,
    );
    expect(html).toContain(`<a href="${devicesLink}">${devicesLink}</a>`);
    const noLink = accountNoticeEmail(deviceAdded({ link: null, deviceLabel: null }));
    expect(noLink.text).toContain('A new device, "unnamed device", was added');
    expect(noLink.text).toContain('call your helpdesk now: they will remove the device.');
    expect(noLink.html).not.toContain('<a ');
  });

  it('escapes a hostile MSP name and device label, and keeps the link the only anchor', () => {
    const hostile = '<img src=x onerror=alert(1)> "Support" & <a href="https://evil.example">Co</a>';
    const link = 'https://help.northwind.example/devices?tab=all&from=mail';
    const { subject, html } = accountNoticeEmail(
      deviceAdded({ mspName: `${hostile}\r\nBcc: eve@evil.example`, deviceLabel: hostile, link }),
    );
    expect(html).not.toMatch(/<img|<a href="https:\/\/evil|onerror=alert\(1\)> /);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt; &quot;Support&quot; &amp; &lt;a href=');
    expect(html.match(/<a /g)).toHaveLength(1);
    expect(html).toContain('<a href="https://help.northwind.example/devices?tab=all&amp;from=mail">');
    expect(subject).not.toMatch(/[\r\n]/);
  });

  it('keeps no web or mail address in a device label, so it cannot pose as the real link', () => {
    for (const text of allTexts(
      deviceAdded({ deviceLabel: 'Call https://evil.example/fix or eve@evil.example' }),
    )) {
      expect(text).not.toContain('https://evil');
      expect(text).not.toContain('@evil');
    }
    expect(accountNoticeSms(deviceAdded({ deviceLabel: 'x'.repeat(80) }))).toContain(
      `"${'x'.repeat(37)}..."`,
    );
  });
});

describe('account notice content', () => {
  it.each([
    ['enrolment_link', enrolment()],
    ['device_enrolled', deviceAdded()],
  ])('a %s notice carries no code digits and no token besides its link', (_kind, context) => {
    for (const text of allTexts(context)) {
      const rest = text.replaceAll(context.link!, '');
      expect(rest).not.toMatch(/\d{5,}/);
      expect(rest).not.toMatch(/[A-Za-z0-9_-]{20,}/);
    }
  });
});

describe('account notice input checks', () => {
  it.each([
    ['an enrolment link without a link', enrolment({ link: null }), 'context.link'],
    [
      'an enrolment link without its minutes',
      enrolment({ expiresInMinutes: null }),
      'context.expiresInMinutes',
    ],
    ['a javascript: link', enrolment({ link: 'javascript:alert(1)' }), 'context.link'],
    ['a link with a space', deviceAdded({ link: 'https://help.northwind.example/a b' }), 'context.link'],
    ['an unknown kind', { ...deviceAdded(), kind: 'password_reset' as never }, 'context.kind'],
    ['an empty MSP name', deviceAdded({ mspName: '  ' }), 'context.mspName'],
    ['a time that is not epoch ms', deviceAdded({ at: Number.NaN }), 'context.at'],
  ])('refuses %s with an InputError naming the field', (_label, context, path) => {
    for (const render of [accountNoticeSms, accountNoticeEmail]) {
      const error = inputErrorOf(() => render(context));
      expect(isQdeskError(error) && error.code).toBe('input_invalid');
      expect(error.issues.map((i) => i.path)).toEqual([path]);
    }
  });

  it('never repeats a refused link, which may be the secret', () => {
    const error = inputErrorOf(() =>
      accountNoticeSms(enrolment({ link: 'https://help.northwind.example/e t=Secret42Token' })),
    );
    expect(error.message).toMatch(/context\.link: must not contain spaces/);
    expect(JSON.stringify({ message: error.message, issues: error.issues })).not.toContain('Secret42Token');
  });
});

describe('accountNoticeMessages', () => {
  const input = {
    tenantId: 'msp-northwind',
    context: deviceAdded(),
    phone: '+15550100001',
    email: 'jo.user@contoso.example',
    noticeId: 'notice-7Hq2x',
  };

  it('builds a ready SMS and email, each with the notice id as its session id', () => {
    const { sms, email } = accountNoticeMessages(input);
    expect(sms).toEqual({
      route: 'sms',
      tenantId: 'msp-northwind',
      to: '+15550100001',
      text: accountNoticeSms(input.context),
      sessionId: 'notice-7Hq2x',
      context: input.context,
    });
    expect(email).toEqual({
      route: 'email',
      tenantId: 'msp-northwind',
      to: 'jo.user@contoso.example',
      ...accountNoticeEmail(input.context),
      sessionId: 'notice-7Hq2x',
      context: input.context,
    });
  });

  it('leaves out the route the end-user has no address for, and both when there is none', () => {
    expect(accountNoticeMessages({ ...input, phone: null }).sms).toBeNull();
    expect(accountNoticeMessages({ ...input, email: null }).email).toBeNull();
    expect(accountNoticeMessages({ ...input, phone: null, email: null })).toEqual({ sms: null, email: null });
  });

  it.each([
    ['a phone without its country code', { phone: '5550100001' }, 'phone'],
    ['a phone with spaces', { phone: '+1 555 010 0001' }, 'phone'],
    ['an email with a display name', { email: '"IT" <eve@evil.example>' }, 'email'],
    ['a list of emails', { email: 'jo.user@contoso.example, eve@evil.example' }, 'email'],
    ['a notice id with a space', { noticeId: 'notice 1' }, 'noticeId'],
    ['a missing tenant', { tenantId: '' }, 'tenantId'],
    ['a bad context', { context: enrolment({ link: null }) }, 'context.link'],
  ])('refuses %s with an InputError naming the field', (_label, change, path) => {
    const error = inputErrorOf(() => accountNoticeMessages({ ...input, ...change }));
    expect(error.issues.map((i) => i.path)).toEqual([path]);
    expect(error.message).toMatch(/^Invalid input to accountNoticeMessages: /);
  });

  it('refuses an unknown field rather than dropping it', () => {
    const error = inputErrorOf(() =>
      accountNoticeMessages({ ...input, sessionId: 'sess-1' } as unknown as typeof input),
    );
    expect(error.message).toContain('sessionId');
  });
});
