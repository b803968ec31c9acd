import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { composeDemo } from './compose.js';
import { EnvError, readEnv } from './config.js';
import { readDirectorySources } from './directory-sources.js';

// QDESK_DIRECTORY_SOURCES_FILE is checked at start: every mistake fails start naming the file, the entry and the
// field, and never repeats a value (the file holds client secrets and bind passwords).

const dir = mkdtempSync(join(tmpdir(), 'qdesk-sources-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SECRET = 'k9~Q-very-secret-value';
const TENANT_GUID = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const CLIENT_GUID = '11111111-2222-4333-8444-555555555555';
const entra = {
  customerId: 'cust-northwind',
  kind: 'entra',
  defaultRegion: 'US',
  entra: { tenantId: TENANT_GUID, clientId: CLIENT_GUID, clientSecret: SECRET },
};
const ldap = {
  customerId: 'cust-contoso',
  kind: 'ldap',
  defaultRegion: 'GB',
  everyMinutes: 15,
  fullEveryHours: 6,
  ldap: {
    url: 'ldaps://dc1.contoso.example',
    bindDN: 'CN=qdesk-reader,OU=Service,DC=contoso,DC=example',
    password: SECRET,
    baseDN: 'DC=contoso,DC=example',
  },
};

let n = 0;
/** Writes `content` (JSON unless a string) to a file of its own and returns its path. */
const fileWith = (content: unknown) => {
  const path = join(dir, `sources-${++n}.json`);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
};

/** The error reading `content` fails with: an EnvError that names the file and never the secret. */
function failure(content: unknown): string {
  const path = fileWith(content);
  try {
    readDirectorySources(path);
  } catch (error) {
    expect(error).toBeInstanceOf(EnvError);
    const message = (error as Error).message;
    expect(message).toContain(`QDESK_DIRECTORY_SOURCES_FILE: ${path}: `);
    expect(message).not.toContain(SECRET);
    return message;
  }
  throw new Error(`${JSON.stringify(content)} was accepted`);
}

describe('QDESK_DIRECTORY_SOURCES_FILE', () => {
  it('opens one source per customer, with the schedule defaults, and keeps the secrets inside the sources', () => {
    const sources = readDirectorySources(fileWith([entra, ldap]));
    expect(sources.map(({ source, warnings, ...settings }) => ({ ...settings, kind: source.kind }))).toEqual([
      {
        customerId: 'cust-northwind',
        kind: 'entra',
        defaultRegion: 'US',
        everyMinutes: 60,
        fullEveryHours: 24,
      },
      { customerId: 'cust-contoso', kind: 'ldap', defaultRegion: 'GB', everyMinutes: 15, fullEveryHours: 6 },
    ]);
    expect(JSON.stringify(sources)).not.toContain(SECRET);
  });

  it('refuses a file that is missing, not JSON, or not a list, without quoting it', () => {
    expect(() => readDirectorySources(join(dir, 'missing.json'))).toThrow(/cannot be read \(ENOENT\)/);
    expect(failure(`[{"customerId": "cust-a", "ldap": {"password": "${SECRET}" }`)).toMatch(
      /is not valid JSON( \(at character \d+\))?$/,
    );
    expect(failure({ customerId: 'cust-a' })).toContain('must be a JSON list of sources');
  });

  it('names the entry and the field of each mistake in the entries', () => {
    expect(failure([{ ...ldap, everyMinutes: 2 }])).toMatch(
      /entry 0 \(customer cust-contoso\): everyMinutes: /,
    );
    expect(failure([{ ...ldap, kind: 'okta' }])).toMatch(/entry 0 \(customer cust-contoso\): kind: /);
    expect(failure([{ ...ldap, defaultRegion: 'gb' }])).toContain(
      'defaultRegion: expected the ISO 3166 country code',
    );
    expect(failure([{ ...ldap, ldap: undefined }])).toContain(
      'entry 0 (customer cust-contoso): ldap: expected the ldap settings',
    );
    expect(failure([{ ...ldap, entra: entra.entra }])).toContain('entra: not used by a source of kind ldap');
    expect(failure([{ ...ldap, ldap: { ...ldap.ldap, password: '' } }])).toContain('ldap.password: ');
    expect(failure([entra, { ...ldap, customerId: 'cust-northwind' }])).toContain(
      'entry 1 (customer cust-northwind): customerId: lists customer cust-northwind again: give each customer one source',
    );
    expect(failure([{ ...ldap, ldap: { ...ldap.ldap, pasword: SECRET } }])).toMatch(/ldap: .*pasword/);
  });

  it("passes on each source's own checks, under the entry's name", () => {
    expect(failure([{ ...ldap, defaultRegion: 'XX' }])).toMatch(
      /entry 0 \(customer cust-contoso\): defaultRegion: must be an ISO 3166-1 alpha-2 country code/,
    );
    expect(failure([{ ...ldap, ldap: { ...ldap.ldap, url: 'ldap://dc1.contoso.example' } }])).toMatch(
      /ldap\.url: the password would cross the network in clear text; use ldaps:\/\/, or set startTls: true/,
    );
    expect(failure([{ ...entra, entra: { ...entra.entra, clientId: 'my-app' } }])).toMatch(
      /entry 0 \(customer cust-northwind\): entra\.clientId: expected the app registration's application \(client\) id/,
    );
    expect(failure([{ ...ldap, ldap: { ...ldap.ldap, caFile: join(dir, 'no-ca.pem') } }])).toMatch(
      /ldap\.caFile: cannot read .*no-ca\.pem \(ENOENT\)/,
    );
  });

  it('trusts the CA a caFile names for LDAPS and StartTLS', () => {
    const ca = join(dir, 'ca.pem');
    writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    const [source] = readDirectorySources(
      fileWith([
        { ...ldap, ldap: { ...ldap.ldap, url: 'ldap://dc1.contoso.example', startTls: true, caFile: ca } },
      ]),
    );
    expect(source?.kind).toBe('ldap');
  });

  it('lets real mode start without QDESK_DIRECTORY_FILE when directory sources bring the end-users', () => {
    const attempt = (variables: Record<string, string>) => {
      try {
        readEnv({ AUTOTASK_USERNAME: 'api@msp.example', ...variables });
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    };
    expect(attempt({})).toContain('QDESK_DIRECTORY_FILE: is required outside demo mode');
    expect(attempt({ QDESK_DIRECTORY_SOURCES_FILE: fileWith([ldap]) })).not.toContain('QDESK_DIRECTORY_FILE');
  });

  it('needs a database for the sync state: memory stores with sources refuse to start', async () => {
    const env = readEnv({ PORT: '0', QDESK_DIRECTORY_SOURCES_FILE: fileWith([ldap]) });
    await expect(composeDemo(env, { quiet: true, stores: { kind: 'memory' } })).rejects.toThrow(
      /directory sources keep their state in the database/,
    );
  });
});
