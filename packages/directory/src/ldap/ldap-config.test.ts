import { ConfigError } from '@qdesk/core';
import { describe, expect, it } from 'vitest';
import { AD_USER_FILTER, type LdapSourceConfig, resolveLdapConfig } from './ldap-config.js';

const valid: LdapSourceConfig = {
  url: 'ldaps://dc1.corp.example',
  bindDN: 'CN=qdesk-reader,OU=Service Accounts,DC=corp,DC=example',
  password: 'correct horse battery staple',
  baseDN: 'OU=Staff,DC=corp,DC=example',
};

/** The ConfigError the settings raise, with the dotted paths it names. */
function refused(config: Record<string, unknown>): { error: ConfigError; paths: string[] } {
  try {
    resolveLdapConfig(config as unknown as LdapSourceConfig);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    const configError = error as ConfigError;
    expect(configError.message).not.toContain(valid.password);
    return { error: configError, paths: configError.issues.map((issue) => issue.path) };
  }
  throw new Error('expected a ConfigError');
}

describe('LDAP source settings', () => {
  it("default to Active Directory's filter, attributes and a page of 500", () => {
    const resolved = resolveLdapConfig(valid);
    expect(resolved).toMatchObject({
      filter: AD_USER_FILTER,
      pageSize: 500,
      startTls: false,
      idFormat: 'guid',
      attributes: { id: 'objectGUID', whenChanged: 'whenChanged', mobile: 'mobile' },
    });
  });

  it('take a text id for any id attribute other than objectGUID, and keep the other defaults', () => {
    const resolved = resolveLdapConfig({
      ...valid,
      attributes: { id: 'entryUUID', whenChanged: 'modifyTimestamp' },
    });
    expect(resolved.idFormat).toBe('text');
    expect(resolved.attributes).toMatchObject({
      id: 'entryUUID',
      whenChanged: 'modifyTimestamp',
      mail: 'mail',
    });
  });

  it('name every missing or malformed field', () => {
    const { error, paths } = refused({ url: 'https://dc1.corp.example', bindDN: '', pageSize: 0 });
    expect(paths).toEqual(expect.arrayContaining(['url', 'bindDN', 'password', 'baseDN', 'pageSize']));
    expect(error.message).toMatch(/^Invalid LDAP source settings: /);
  });

  it('refuse a url with a path or credentials in it', () => {
    expect(refused({ ...valid, url: 'ldaps://dc1.corp.example/DC=corp,DC=example' }).paths).toEqual(['url']);
    expect(refused({ ...valid, url: 'ldaps://reader:secret@dc1.corp.example' }).paths).toEqual(['url']);
  });

  it('refuse a password in clear text to a remote host, unless StartTLS is on or the risk is accepted', () => {
    const { error, paths } = refused({ ...valid, url: 'ldap://dc1.corp.example' });
    expect(paths).toEqual(['url']);
    expect(error.message).toContain('startTls: true');
    expect(() =>
      resolveLdapConfig({ ...valid, url: 'ldap://dc1.corp.example', startTls: true }),
    ).not.toThrow();
    expect(() =>
      resolveLdapConfig({ ...valid, url: 'ldap://dc1.corp.example', allowUnencrypted: true }),
    ).not.toThrow();
    expect(() => resolveLdapConfig({ ...valid, url: 'ldap://127.0.0.1:3389' })).not.toThrow();
  });

  it('refuse StartTLS on an ldaps url and a TLS setting that trusts any certificate', () => {
    expect(refused({ ...valid, startTls: true }).paths).toEqual(['startTls']);
    const { error, paths } = refused({ ...valid, tlsOptions: { rejectUnauthorized: false } });
    expect(paths).toEqual(['tlsOptions']);
    expect(error.message).toContain('give the CA');
  });

  it('refuse a filter that is not one RFC 4515 filter', () => {
    for (const filter of ['objectClass=user', '(&(objectClass=user)', '(objectClass=user)(mail=*)']) {
      expect(refused({ ...valid, filter }).paths, filter).toEqual(['filter']);
    }
    expect(() =>
      resolveLdapConfig({ ...valid, filter: '(&(objectClass=user)(cn=a\\28b\\29))' }),
    ).not.toThrow();
  });

  it('refuse unknown fields and attribute names that are not LDAP names', () => {
    expect(refused({ ...valid, pagesize: 100 }).paths).toEqual(['(root)']);
    expect(refused({ ...valid, attributes: { mobile: 'mobile phone' } }).paths).toEqual([
      'attributes.mobile',
    ]);
    expect(refused({ ...valid, attributes: { fax: 'fax' } }).paths).toEqual(['attributes']);
  });
});
