import { ConfigError } from '@qdesk/core';
import { describe, expect, it } from 'vitest';
import type { EntraSourceConfig } from './entra-config.js';
import { createEntraSource } from './entra-source.js';

const valid: EntraSourceConfig = {
  tenantId: '11111111-2222-4333-8444-555555555555',
  clientId: '66666666-7777-4888-9999-aaaaaaaaaaaa',
  clientSecret: 'config~Test.Secret_0123456789',
};

function configError(config: unknown): ConfigError {
  try {
    createEntraSource(config as EntraSourceConfig);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('createEntraSource: settings', () => {
  it('accepts a tenant id or a verified domain, and reports kind entra', () => {
    expect(createEntraSource(valid).kind).toBe('entra');
    expect(createEntraSource({ ...valid, tenantId: 'contoso.onmicrosoft.com' }).kind).toBe('entra');
  });

  it('names every bad field in one ConfigError', () => {
    const error = configError({
      tenantId: 'not a tenant',
      clientId: 'abc',
      clientSecret: '',
      pageSize: 1000,
      graphUrl: 'ftp://graph.example',
      batchConcurrency: 9,
    });

    expect(error.issues.map((i) => i.path)).toEqual([
      'tenantId',
      'clientId',
      'clientSecret',
      'graphUrl',
      'pageSize',
      'batchConcurrency',
    ]);
    expect(error.message).toMatch(
      /^Invalid Entra ID source settings: tenantId: expected the customer's tenant id/,
    );
  });

  it('refuses unknown fields and bad retry settings', () => {
    expect(configError({ ...valid, tenant: 'x' }).issues.map((i) => i.path)).toEqual(['(root)']);
    expect(configError({ ...valid, retry: { maxRetries: 50 } }).issues.map((i) => i.path)).toEqual([
      'retry.maxRetries',
    ]);
    expect(configError({ ...valid, onWarning: 'log' }).issues.map((i) => i.path)).toEqual(['onWarning']);
  });

  it('never quotes the client secret', () => {
    const secret = 'do-not-print~Secret.Value_0123456789';
    const error = configError({ ...valid, clientSecret: secret, tenantId: '' });

    expect(error.message).not.toContain(secret);
    expect(JSON.stringify(error.issues)).not.toContain(secret);
  });
});
