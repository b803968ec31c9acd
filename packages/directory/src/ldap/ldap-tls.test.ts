import { AdapterError } from '@qdesk/core';
import { describe, expect, it } from 'vitest';
import type { SourcePage } from '../types.js';
import type { LdapSourceConfig } from './ldap-config.js';
import { createLdapSource } from './ldap-source.js';
import { hasSlapd } from './slapd.test-helpers.js';
import { readAll, useSlapd } from './slapd-fixture.test-helpers.js';
import { BASE_DN } from './test-people.test-helpers.js';

const PEOPLE = 50;
const slapd = useSlapd({ users: PEOPLE, tls: true });

function source(overrides: Partial<LdapSourceConfig>) {
  return createLdapSource({
    url: slapd.url,
    bindDN: slapd.reader.bindDN,
    password: slapd.reader.password,
    baseDN: BASE_DN,
    retries: 0,
    timeoutMs: 5000,
    ...overrides,
  });
}

const count = (pages: SourcePage[]) => pages.reduce((sum, page) => sum + page.changes.length, 0);

async function failure(pages: AsyncIterable<SourcePage>): Promise<AdapterError> {
  try {
    await readAll(pages);
  } catch (error) {
    expect(error).toBeInstanceOf(AdapterError);
    return error as AdapterError;
  }
  throw new Error('expected the read to fail');
}

describe.skipIf(!hasSlapd)('LDAP source over TLS (a self-signed certificate made with openssl)', () => {
  it('reads everyone over StartTLS, trusting the certificate given in tlsOptions.ca', async () => {
    const pages = await readAll(
      source({ startTls: true, tlsOptions: { ca: slapd.certificate! } }).read({ cursor: null }),
    );
    expect(count(pages)).toBe(PEOPLE);
  });

  it('reads everyone over LDAPS', async () => {
    const pages = await readAll(
      source({ url: slapd.ldapsUrl!, tlsOptions: { ca: slapd.certificate! } }).read({ cursor: null }),
    );
    expect(count(pages)).toBe(PEOPLE);
  });

  it('refuses a certificate it cannot trust, and says to give its CA in tlsOptions.ca', async () => {
    const ldaps = await failure(source({ url: slapd.ldapsUrl! }).read({ cursor: null }));
    expect(ldaps.operation).toBe('connect');
    expect(ldaps.message).toContain('is not trusted (DEPTH_ZERO_SELF_SIGNED_CERT)');
    expect(ldaps.message).toContain('tlsOptions.ca');
    const startTls = await failure(source({ startTls: true }).read({ cursor: null }));
    expect(startTls.operation).toBe('startTls');
    expect(startTls.message).toContain('tlsOptions.ca');
  });

  it('checks that the certificate names the server, over StartTLS as over LDAPS', async () => {
    const tlsOptions = { ca: slapd.certificate!, servername: 'dc1.corp.example' };
    for (const error of [
      await failure(source({ startTls: true, tlsOptions }).read({ cursor: null })),
      await failure(source({ url: slapd.ldapsUrl!, tlsOptions }).read({ cursor: null })),
    ]) {
      expect(error.message).toContain('does not name that host');
      expect(error.message).toContain('tlsOptions.servername');
    }
  });

  it('says which scheme goes with which port when ldaps:// meets a plain LDAP port', async () => {
    const error = await failure(source({ url: slapd.url.replace('ldap:', 'ldaps:') }).read({ cursor: null }));
    expect(error.operation).toBe('connect');
    expect(error.message).toContain('the TLS handshake with the LDAP server');
    expect(error.message).toContain('ldap:// with startTls: true');
  });
});
