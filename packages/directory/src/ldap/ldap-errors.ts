import { AdapterError } from '@qdesk/core';
import { ResultCodeError } from 'ldapts';

/** The port name every LDAP source error carries. */
export const LDAP_PORT = 'directory source (ldap)';

/** The step of a read that failed: what `AdapterError.operation` says. */
export type LdapOperation = 'connect' | 'startTls' | 'bind' | 'search';

/** What the messages name; never the password. */
export interface LdapErrorContext {
  operation: LdapOperation;
  url: string;
  bindDN: string;
  baseDN: string;
  timeoutMs: number;
}

/** A failure as the read loop sees it: the error to throw, and whether trying again may help. */
export interface ClassifiedLdapError {
  error: AdapterError;
  transient: boolean;
}

/**
 * Active Directory's reasons for refusing a bind, from the `data <hex>` of its diagnostic message
 * ("80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext error, data 52e, v4563").
 */
const AD_BIND_REASONS: ReadonlyMap<string, string> = new Map([
  ['525', 'no account has that bindDN'],
  ['52e', 'the password is wrong'],
  ['530', 'the account may not sign in at this time of day'],
  ['531', 'the account may not sign in from this computer'],
  ['532', "the account's password has expired"],
  ['533', 'the account is disabled'],
  ['701', 'the account has expired'],
  ['773', 'the account must change its password first'],
  ['775', 'the account is locked out'],
]);

interface ResultCodeAdvice {
  transient: boolean;
  say: (context: LdapErrorContext) => string;
}

/** LDAP result codes (RFC 4511 and the ones AD adds) with what to do; `transient` ones are retried. */
const RESULT_CODES: ReadonlyMap<number, ResultCodeAdvice> = new Map<number, ResultCodeAdvice>([
  [
    3,
    {
      transient: true,
      say: () =>
        'the server stopped a page of the search at its time limit (result 3); lower pageSize, narrow the filter or raise timeoutMs',
    },
  ],
  [
    4,
    {
      transient: false,
      say: () =>
        'the server stopped the search at its size limit (result 4); give the bind account an unlimited size limit for paged searches (OpenLDAP: limits ... size.prtotal=unlimited) or narrow the filter',
    },
  ],
  [
    8,
    {
      transient: false,
      say: () =>
        'the server requires a protected connection (result 8, strong authentication required, as with LDAP signing); use an ldaps:// url or startTls: true',
    },
  ],
  [
    11,
    {
      transient: false,
      say: () =>
        'the server refused the search at an administrative limit (result 11); lower pageSize (Active Directory caps pages at MaxPageSize, 1,000 by default) or narrow the filter',
    },
  ],
  [
    12,
    {
      transient: false,
      say: () =>
        'the server does not support a control the search needs (result 12); the LDAP source needs the paged results control (RFC 2696)',
    },
  ],
  [
    13,
    {
      transient: false,
      say: () =>
        'the server requires an encrypted connection (result 13, confidentiality required); use an ldaps:// url or startTls: true',
    },
  ],
  [
    32,
    {
      transient: false,
      say: (c) =>
        `baseDN "${c.baseDN}" does not exist on the server (result 32, no such object); check baseDN (for example DC=corp,DC=example or OU=Staff,DC=corp,DC=example)`,
    },
  ],
  [
    34,
    {
      transient: false,
      say: (c) => `a DN is malformed (result 34); check bindDN ("${c.bindDN}") and baseDN ("${c.baseDN}")`,
    },
  ],
  [
    50,
    {
      transient: false,
      say: (c) =>
        `the bind account "${c.bindDN}" may not read under "${c.baseDN}" (result 50, insufficient access); grant it read access to the user objects`,
    },
  ],
  [51, { transient: true, say: () => 'the server is busy (result 51); try again later' }],
  [
    52,
    {
      transient: true,
      say: () => 'the server is unavailable (result 52); try again later or use another domain controller',
    },
  ],
  [
    53,
    {
      transient: false,
      say: () =>
        'the server is unwilling to perform the request (result 53); check that the bind account may search and that TLS is used if the server requires it',
    },
  ],
  [
    112,
    {
      transient: false,
      say: () => 'the server does not offer StartTLS (result 112); use an ldaps:// url (port 636) instead',
    },
  ],
]);

/** Node TLS error codes meaning the server's certificate is not trusted. */
const UNTRUSTED_CERTIFICATE = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
]);

const CONNECTION_LOST =
  /connection closed|socket error|socket connection not established|ECONNRESET|EPIPE|socket hang up/i;
const TIMED_OUT = /timed out|ETIMEDOUT/i;

interface Described {
  reason: string;
  transient: boolean;
  /** Set when the failure was in reaching the server, whatever call found it (ldapts connects inside bind). */
  connect?: true;
  /** Set for a TLS failure: in connecting for ldaps://, in the StartTLS step otherwise. */
  tls?: true;
}

function describe(error: unknown, c: LdapErrorContext): Described {
  const where = `the LDAP server at ${c.url}`;
  if (error instanceof ResultCodeError) {
    if (c.operation === 'startTls' && [2, 12, 52, 53, 112].includes(error.code)) {
      return {
        reason: `${where} refused StartTLS (result ${error.code}); give the server a TLS certificate (Active Directory: a certificate for LDAPS from the domain's CA) or use an ldaps:// url`,
        transient: false,
      };
    }
    if (error.code === 49) {
      const data = /data ([0-9a-f]{3,4})\b/i.exec(error.message)?.[1]?.toLowerCase();
      const why = data ? AD_BIND_REASONS.get(data) : undefined;
      return {
        reason: `${where} refused the bind for bindDN "${c.bindDN}" (result 49, invalid credentials${why ? `: ${why}` : ''}); check bindDN and password`,
        transient: false,
      };
    }
    const known = RESULT_CODES.get(error.code);
    if (known) return { reason: `${where}: ${known.say(c)}`, transient: known.transient };
    return {
      reason: `${where} answered the ${c.operation} with LDAP result ${error.code}: ${error.message.trim()}`,
      transient: false,
    };
  }
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'ECONNREFUSED') {
    return {
      reason: `nothing answered at ${c.url} (connection refused); check the url's host and port (389 for ldap://, 636 for ldaps://) and that the server is running and reachable from this host`,
      transient: true,
      connect: true,
    };
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return {
      reason: `the host in url (${c.url}) does not resolve; check the url`,
      transient: code === 'EAI_AGAIN',
      connect: true,
    };
  }
  if (typeof code === 'string' && UNTRUSTED_CERTIFICATE.has(code)) {
    return {
      reason: `the TLS certificate of ${where} is not trusted (${code}); give the certificate of the CA that issued it in tlsOptions.ca`,
      transient: false,
      tls: true,
    };
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return {
      reason: `the TLS certificate of ${where} does not name that host; use the host name the certificate was issued for in url, or set tlsOptions.servername`,
      transient: false,
      tls: true,
    };
  }
  if (
    code === 'EPROTO' ||
    /wrong version number|packet length too long|before secure TLS connection/i.test(message)
  ) {
    return {
      reason: `the TLS handshake with ${where} failed; an ldaps:// url needs the LDAPS port (636), and port 389 needs ldap:// with startTls: true`,
      transient: false,
      tls: true,
    };
  }
  if (/connection timeout/i.test(message)) {
    return {
      reason: `${where} did not accept a connection within ${c.timeoutMs} ms; check the url's host and port and that no firewall drops the traffic, or raise timeoutMs`,
      transient: true,
      connect: true,
    };
  }
  if (TIMED_OUT.test(message) || code === 'ETIMEDOUT') {
    return {
      reason: `${where} did not answer the ${c.operation} within ${c.timeoutMs} ms; check that it is reachable from this host (firewall) or raise timeoutMs`,
      transient: true,
    };
  }
  if (CONNECTION_LOST.test(message) || code === 'ECONNRESET' || code === 'EPIPE') {
    const hint =
      c.operation === 'search'
        ? "run the read again with the last page's cursor to resume it"
        : 'if that port is an LDAPS port (636), use an ldaps:// url';
    return {
      reason: `the connection to ${where} was lost during the ${c.operation}; ${hint}`,
      transient: true,
    };
  }
  return { reason: `the ${c.operation} against ${where} failed: ${message}`, transient: false };
}

/**
 * Turns what ldapts or Node threw into an {@link AdapterError} whose message says what to fix, with the original
 * as `cause` and the LDAP result code (when there is one) in `details.resultCode`. The password is never in it: the
 * messages name the url, bindDN and baseDN only, and LDAP servers do not echo a bind's password.
 */
export function classifyLdapError(error: unknown, context: LdapErrorContext): ClassifiedLdapError {
  const { reason, transient, connect, tls } = describe(error, context);
  const operation = connect || (tls && context.operation !== 'startTls') ? 'connect' : context.operation;
  const resultCode = error instanceof ResultCodeError ? error.code : undefined;
  return {
    error: new AdapterError(`The LDAP source failed: ${reason}.`, {
      cause: error,
      port: LDAP_PORT,
      operation,
      details: { url: context.url, ...(resultCode === undefined ? {} : { resultCode }), transient },
    }),
    transient,
  };
}
