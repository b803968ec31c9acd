// The people of the test directory (an Active Directory-like tree under dc=corp,dc=example) as LDIF: generated
// deterministically for slapadd, and changed with ldapmodify as Active Directory would change them.
import { createHash } from 'node:crypto';

export const BASE_DN = 'dc=corp,dc=example';
export const PEOPLE_DN = `ou=People,${BASE_DN}`;

/** One person of the test directory, as its LDAP entry holds them. */
export interface TestUser {
  /** The RDN value: the entry is `cn=<cn>,ou=People,dc=corp,dc=example`. */
  cn: string;
  /** The 16 bytes of `objectGUID`. */
  guid: Buffer;
  mail?: string;
  mobile?: string;
  telephoneNumber?: string;
  displayName?: string;
  /** 512 a normal account, 514 a disabled one. */
  userAccountControl?: number;
  /** Generalized time, as AD writes it (`20260101000000.0Z`). */
  whenChanged?: string;
  /** `person` (the default) or, for a computer account, `computer`. */
  objectCategory?: string;
}

/** Epoch ms as the generalized time AD writes (`20260101000000.0Z`), written here independently of the source's. */
export function generalizedTime(epochMs: number): string {
  const d = new Date(epochMs);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}${two(d.getUTCHours())}${two(d.getUTCMinutes())}${two(d.getUTCSeconds())}.0Z`;
}

/** When the generated people last changed, before any test changes them: well in the past. */
export const LOADED_AT = Date.UTC(2026, 0, 1);

/** The deterministic `n`th test person (n from 1): a unique GUID, mail, mobile and office number. */
export function testUser(n: number, overrides: Partial<TestUser> = {}): TestUser {
  const id = String(n).padStart(5, '0');
  return {
    cn: `User ${id}`,
    guid: createHash('sha256').update(`user-${n}`).digest().subarray(0, 16),
    mail: `user${id}@corp.example`,
    mobile: `+44 7700 9${id}`,
    telephoneNumber: `+1 (202) 555-${id.slice(1)}`,
    displayName: `User ${id}`,
    userAccountControl: 512,
    whenChanged: generalizedTime(LOADED_AT + n * 1000),
    ...overrides,
  };
}

/** The DN of a test person. */
export const dnOf = (user: Pick<TestUser, 'cn'>) => `cn=${user.cn},${PEOPLE_DN}`;

/**
 * One LDIF line (RFC 2849); a value that is not printable ASCII, or starts with a space, colon or "<", or ends with a
 * space, in base64.
 */
function line(attribute: string, value: string | Buffer): string {
  if (typeof value === 'string' && /^([!-9;=-~][ -~]*)?$/.test(value) && !value.endsWith(' ')) {
    return `${attribute}: ${value}`;
  }
  return `${attribute}:: ${Buffer.from(value).toString('base64')}`;
}

/** The LDIF record that adds `user`. */
export function userLdif(user: TestUser): string {
  const lines = [
    line('dn', dnOf(user)),
    'objectClass: user',
    line('cn', user.cn),
    line('sn', user.cn.split(' ').at(-1) ?? user.cn),
    line('objectGUID', user.guid),
    line('objectCategory', user.objectCategory ?? 'person'),
  ];
  for (const key of ['mail', 'mobile', 'telephoneNumber', 'displayName', 'whenChanged'] as const) {
    const value = user[key];
    if (value !== undefined) lines.push(line(key, value));
  }
  if (user.userAccountControl !== undefined) lines.push(`userAccountControl: ${user.userAccountControl}`);
  return `${lines.join('\n')}\n`;
}

/** An LDIF change record replacing attributes of an existing person (an attribute set to `null` is removed). */
export function modifyLdif(
  user: Pick<TestUser, 'cn'>,
  changes: Record<string, string | number | null>,
): string {
  const parts = Object.entries(changes).map(([attribute, value]) =>
    value === null
      ? `delete: ${attribute}\n-`
      : `replace: ${attribute}\n${line(attribute, String(value))}\n-`,
  );
  return `${line('dn', dnOf(user))}\nchangetype: modify\n${parts.join('\n')}\n`;
}
