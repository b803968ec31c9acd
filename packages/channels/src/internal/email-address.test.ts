import { describe, expect, it } from 'vitest';
import { isSingleEmailAddress } from './email-address.js';

describe('isSingleEmailAddress', () => {
  it.each([
    'jo.user@contoso.example',
    "o'brien+it@contoso.example",
    'x@sub.contoso.example',
    'jörg@müller.example',
    `${'a'.repeat(64)}@contoso.example`,
  ])('takes the plain address %s', (address) => {
    expect(isSingleEmailAddress(address)).toBe(true);
  });

  it.each([
    ['a list', 'a@contoso.example, b@evil.example'],
    ['a semicolon list', 'a@contoso.example;b@evil.example'],
    ['a display name', 'Jo <jo@contoso.example>'],
    ['an address hiding behind another', 'a@contoso.example <b@evil.example>'],
    ['a quoted local part', '"jo user"@contoso.example'],
    ['a quoted display name', '"x" <eve@evil.example>'],
    ['a comment', 'jo(x)@contoso.example'],
    ['a group', 'team: a@contoso.example;'],
    ['a domain literal', 'jo@[192.0.2.1]'],
    ['a newline', 'jo@contoso.example\nBcc: eve@evil.example'],
    ['a NUL', 'jo\u0000@contoso.example'],
    ['a non-breaking space', 'jo\u00a0@contoso.example'],
    ['leading whitespace', ' jo@contoso.example'],
    ['two @', 'jo@eve@evil.example'],
    ['no @', 'jo.contoso.example'],
    ['a leading dot', '.jo@contoso.example'],
    ['two dots in a row', 'jo..user@contoso.example'],
    ['a domain label ending in a hyphen', 'jo@contoso-.example'],
    ['a local part over 64 characters', `${'a'.repeat(65)}@contoso.example`],
    [
      'more than 254 characters',
      `jo@${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.example`,
    ],
    ['an empty string', ''],
    ['a non-string', 42],
  ])('refuses %s', (_label, value) => {
    expect(isSingleEmailAddress(value)).toBe(false);
  });
});
