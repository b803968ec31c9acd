import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import { createMemoryDirectory } from '../memory/directory.js';
import { createOutboxChannel } from '../memory/outbox-channel.js';
import type { VerifierConfig } from './config.js';
import { createVerifier } from './create-verifier.js';
import { SECRET } from './setup.test-helpers.js';

const issuesOf = (config: unknown) => {
  try {
    createVerifier(config as VerifierConfig);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues.map((i) => i.path);
  }
  throw new Error('expected a ConfigError');
};

describe('createVerifier config', () => {
  const directory = createMemoryDirectory();
  it('accepts the minimum and applies safe defaults', () => {
    const v = createVerifier({ secret: SECRET, directory });
    expect(v.policy).toMatchObject({
      codeLength: 6,
      codeTtlMs: 600_000,
      pushTtlMs: 60_000,
      maxAttempts: 5,
      sendsPerWindow: 5,
      maxConsecutiveFailures: 100,
      codeMode: 'verify',
    });
  });
  it('names each bad field', () => {
    expect(issuesOf(undefined)).toEqual(['(root)']);
    expect(issuesOf({ secret: 'short', directory })).toEqual(['secret']);
    expect(issuesOf({ secret: SECRET })).toEqual(['directory']);
    expect(issuesOf({ secret: SECRET, directory: { getById() {} } })).toEqual([
      'directory.specificationVersion',
      'directory',
      'directory.capabilities.manageDevices',
    ]);
    expect(issuesOf({ secret: SECRET, directory, policy: { codeLength: 4 } })).toEqual(['policy.codeLength']);
    expect(issuesOf({ secret: SECRET, directory, policy: { codeTtlMs: 3_600_000 } })).toEqual([
      'policy.codeTtlMs',
    ]);
    expect(issuesOf({ secret: SECRET, directory, policy: { maxConsecutiveFailures: 500 } })).toEqual([
      'policy.maxConsecutiveFailures',
    ]);
    expect(
      issuesOf({ secret: SECRET, directory, policy: { codeMode: 'compare', allowedCodeModes: ['verify'] } }),
    ).toEqual(['policy.codeMode']);
    expect(issuesOf({ secret: SECRET, directory, policy: { colour: 'red' } })).toEqual(['policy']);
    expect(issuesOf({ secret: SECRET, directory, channels: { sms: createOutboxChannel('email') } })).toEqual([
      'channels.sms',
    ]);
    expect(issuesOf({ secret: SECRET, directory, channels: { fax: {} } })).toEqual(['channels.fax']);
    expect(issuesOf({ secret: SECRET, directory, store: {} })).toEqual([
      'store.specificationVersion',
      'store',
    ]);
    expect(issuesOf({ secret: 'x', directory: null, psa: { name: 'p' } })).toEqual([
      'secret',
      'directory',
      'psa.specificationVersion',
      'psa',
      'psa.capabilities.writeNotes',
      'psa.capabilities.listRecords',
    ]);
  });
  it('the message lists what is missing', () => {
    try {
      createVerifier({ secret: SECRET, directory, store: { get() {} } as never });
    } catch (error) {
      expect((error as Error).message).toContain('store: missing method(s): create, compareAndSet');
    }
  });
});
