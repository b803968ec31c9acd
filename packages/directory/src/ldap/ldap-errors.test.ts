import { AdapterError } from '@qdesk/core';
import { BusyError, InvalidCredentialsError, ProtocolError, StrongAuthRequiredError } from 'ldapts';
import { describe, expect, it } from 'vitest';
import { classifyLdapError, type LdapErrorContext } from './ldap-errors.js';

// Active Directory's answers cannot come from the test OpenLDAP; these are ldapts' own error classes, built with
// the diagnostic messages AD sends.
const context: LdapErrorContext = {
  operation: 'bind',
  url: 'ldaps://dc1.corp.example',
  bindDN: 'qdesk-reader@corp.example',
  baseDN: 'DC=corp,DC=example',
  timeoutMs: 30_000,
};
const adBindRefusal = (data: string) =>
  new InvalidCredentialsError(
    `80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext error, data ${data}, v4563`,
  );

describe('classifyLdapError', () => {
  it("names Active Directory's reason for refusing a bind", () => {
    const cases: Array<[string, string]> = [
      ['52e', 'the password is wrong'],
      ['775', 'the account is locked out'],
      ['532', "the account's password has expired"],
      ['533', 'the account is disabled'],
    ];
    for (const [data, reason] of cases) {
      const { error, transient } = classifyLdapError(adBindRefusal(data), context);
      expect(error).toBeInstanceOf(AdapterError);
      expect(error.message).toBe(
        `The LDAP source failed: the LDAP server at ldaps://dc1.corp.example refused the bind for bindDN "qdesk-reader@corp.example" (result 49, invalid credentials: ${reason}); check bindDN and password.`,
      );
      expect(transient).toBe(false);
    }
  });

  it('tells a server that insists on LDAP signing to use TLS', () => {
    const { error } = classifyLdapError(
      new StrongAuthRequiredError('00002028: LdapErr: DSID-0C090259'),
      context,
    );
    expect(error.message).toContain('use an ldaps:// url or startTls: true');
  });

  it('retries a busy server and reports the result code', () => {
    const { error, transient } = classifyLdapError(new BusyError(), { ...context, operation: 'search' });
    expect(transient).toBe(true);
    expect(error.details).toMatchObject({ resultCode: 51, transient: true });
  });

  it('tells a server that refuses StartTLS to get a certificate or use LDAPS', () => {
    const { error } = classifyLdapError(new ProtocolError('unsupported extended operation'), {
      ...context,
      url: 'ldap://dc1.corp.example',
      operation: 'startTls',
    });
    expect(error.operation).toBe('startTls');
    expect(error.message).toContain('refused StartTLS (result 2)');
    expect(error.message).toContain('use an ldaps:// url');
  });

  it('reports a failure to reach the server as a connect failure, whichever call met it', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:636'), { code: 'ECONNREFUSED' });
    const { error, transient } = classifyLdapError(refused, context);
    expect(error.operation).toBe('connect');
    expect(transient).toBe(true);
    const unknownHost = Object.assign(new Error('getaddrinfo ENOTFOUND dc1.corp.example'), {
      code: 'ENOTFOUND',
    });
    expect(classifyLdapError(unknownHost, context).error.message).toContain(
      'does not resolve; check the url',
    );
  });

  it('keeps an unknown failure as the cause, with its message', () => {
    const odd = new Error('something unexpected');
    const { error, transient } = classifyLdapError(odd, { ...context, operation: 'search' });
    expect(error.cause).toBe(odd);
    expect(error.message).toBe(
      'The LDAP source failed: the search against the LDAP server at ldaps://dc1.corp.example failed: something unexpected.',
    );
    expect(transient).toBe(false);
  });
});
