import { createHmac } from 'node:crypto';
import { AuthenticationError, InputError } from '@qdesk/core';
import { describe, expect, it } from 'vitest';
import {
  parseAutotaskWebhook,
  readAutotaskWebhook,
  signAutotaskWebhook,
  verifyAutotaskWebhook,
} from './webhook.js';

const secret = 'whsec-autotask-contact-hook-0123456789';
const callout = {
  Action: 'Update',
  Guid: '7f0c1a52-6b8e-4d2e-9a4f-1c9d2f0b7e31',
  EntityType: 'Contact',
  Id: 30_042,
  Fields: { emailAddress: 'olivia.brown@adatum-corporation.example', mobilePhone: '+15550123456' },
  EventTime: '2026-11-24T09:31:07.123Z',
  SequenceNumber: 118,
  PersonID: 29_682_881,
};
const body = JSON.stringify(callout);
// Computed here with node:crypto directly, not with the code under test.
const expectedHeader = (raw: string | Buffer, key: string) =>
  `sha1=${createHmac('sha1', key).update(raw).digest('base64')}`;

describe('webhook signatures', () => {
  it('accepts a valid signature over the raw body, as a string or as bytes', () => {
    const header = expectedHeader(body, secret);
    expect(verifyAutotaskWebhook(body, header, secret)).toBe(true);
    expect(verifyAutotaskWebhook(new TextEncoder().encode(body), header, secret)).toBe(true);
    expect(verifyAutotaskWebhook(body, header.replace('sha1=', 'SHA1='), secret)).toBe(true);
    expect(signAutotaskWebhook(body, secret)).toBe(header);
  });

  it('hashes the exact bytes: non-ASCII bodies included', () => {
    const raw = Buffer.from(body.replace('Olivia', 'Zoë'), 'utf8');
    expect(verifyAutotaskWebhook(raw, expectedHeader(raw, secret), secret)).toBe(true);
  });

  it('rejects a tampered body', () => {
    const header = expectedHeader(body, secret);
    expect(verifyAutotaskWebhook(body.replace('30042', '30043'), header, secret)).toBe(false);
    // Re-serialised JSON is a different byte string.
    expect(verifyAutotaskWebhook(JSON.stringify(JSON.parse(body), null, 1), header, secret)).toBe(false);
  });

  it('rejects a signature made with another secret', () => {
    expect(verifyAutotaskWebhook(body, expectedHeader(body, 'another-secret'), secret)).toBe(false);
  });

  it('rejects a missing, empty, unprefixed or truncated header, and an empty secret', () => {
    const header = expectedHeader(body, secret);
    for (const bad of [undefined, null, '', header.slice(5), header.slice(0, -4), 'sha256=abc', 'sha1=']) {
      expect(verifyAutotaskWebhook(body, bad, secret)).toBe(false);
    }
    expect(verifyAutotaskWebhook(body, expectedHeader(body, ''), '')).toBe(false);
  });
});

describe('webhook payloads', () => {
  it('parses the callout fields', () => {
    expect(parseAutotaskWebhook(body)).toEqual(callout);
  });

  it('reads string ids and a delete without fields or person', () => {
    const raw = JSON.stringify({
      Action: 'Delete',
      Guid: 'g',
      EntityType: 'Company',
      Id: '110',
      EventTime: 't',
      SequenceNumber: 1,
    });
    expect(parseAutotaskWebhook(raw)).toMatchObject({ Id: 110, Fields: {}, PersonID: null });
  });

  it('refuses a body that is not JSON or not a callout, naming the field', () => {
    expect(() => parseAutotaskWebhook('{not json')).toThrow(InputError);
    const error = (() => {
      try {
        parseAutotaskWebhook(JSON.stringify({ ...JSON.parse(body), SequenceNumber: 'x' }));
      } catch (e) {
        return e as InputError;
      }
      throw new Error('expected an InputError');
    })();
    expect(error.issues[0]!.path).toBe('SequenceNumber');
  });

  it('verifies then parses in one step, refusing a bad signature', () => {
    expect(readAutotaskWebhook(body, expectedHeader(body, secret), secret).Id).toBe(30_042);
    expect(() => readAutotaskWebhook(body, expectedHeader(body, 'x'), secret)).toThrow(AuthenticationError);
  });
});
