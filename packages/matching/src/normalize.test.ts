import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  LEGAL_SUFFIXES,
  normalizeCompanyName,
  normalizeDomain,
  normalizeEmail,
  normalizePersonName,
} from './normalize.js';

describe('normalizeCompanyName', () => {
  it.each([
    ['Northwind Traders Inc.', 'northwind traders'],
    ['NORTHWIND   traders,  INC', 'northwind traders'],
    ['Northwind Traders Incorporated', 'northwind traders'],
    ['Northwind Traders L.L.C.', 'northwind traders'],
    ['Northwind Traders, LLC', 'northwind traders'],
    ['Contoso Dental Ltd', 'contoso dental'],
    ['Contoso Dental Limited', 'contoso dental'],
    ['Contoso Dental Pty Ltd', 'contoso dental'],
    ['Fabrikam Logistics GmbH', 'fabrikam logistics'],
    ['Fabrikam GmbH & Co. KG', 'fabrikam'],
    ['Adatum AG', 'adatum'],
    ['Adatum S.A.', 'adatum'],
    ['Adatum SA', 'adatum'],
    ['Adatum SARL', 'adatum'],
    ['Adatum B.V.', 'adatum'],
    ['Adatum NV', 'adatum'],
    ['Adatum PLC', 'adatum'],
    ['Adatum Co.', 'adatum'],
    ['Adatum Corp.', 'adatum'],
    ['Adatum Corporation', 'adatum'],
    ['Adatum Company', 'adatum'],
    ['Adatum Holdings Co Inc', 'adatum holdings'],
  ])('folds %j to %j', (name, key) => {
    expect(normalizeCompanyName(name)).toBe(key);
  });

  it('reads & as and, and drops a trailing and left by a suffix', () => {
    expect(normalizeCompanyName('Smith & Jones')).toBe(normalizeCompanyName('Smith and Jones'));
    expect(normalizeCompanyName('Smith & Co.')).toBe('smith');
    expect(normalizeCompanyName('Rock and')).toBe('rock and');
  });

  it('folds accents and letters without marks', () => {
    expect(normalizeCompanyName('Café Crème SARL')).toBe('cafe creme');
    expect(normalizeCompanyName('Ørsted Straße A/S')).toBe('orsted strasse a s');
    expect(normalizeCompanyName('ﬁne Ｆｏｏｄｓ')).toBe('fine foods');
  });

  it('drops punctuation: apostrophes and dots join, the rest separates', () => {
    expect(normalizeCompanyName("O'Brien's Bakery")).toBe('obriens bakery');
    expect(normalizeCompanyName('A.B.C. Supplies')).toBe('abc supplies');
    expect(normalizeCompanyName('Smith-Jones (UK) Ltd.')).toBe('smith jones uk');
  });

  it('only drops legal forms as trailing words, and never the last word', () => {
    expect(normalizeCompanyName('Co-op Bank')).toBe('co op bank');
    expect(normalizeCompanyName('Inc Magazine')).toBe('inc magazine');
    expect(normalizeCompanyName('Company Inc.')).toBe('company');
    expect(normalizeCompanyName('LLC')).toBe('llc');
  });

  it('gives an empty key for a name without letters or digits', () => {
    expect(normalizeCompanyName(' -- ')).toBe('');
    expect(normalizeCompanyName('')).toBe('');
  });

  it('keeps letters of other scripts', () => {
    expect(normalizeCompanyName('株式会社 トヨタ')).toBe('株式会社 トヨタ');
    expect(normalizeCompanyName('ΟΔΟΣ Α.Ε.')).toBe('οδος αε');
  });

  it('lists each legal suffix once, lower-case, as one word', () => {
    expect(new Set(LEGAL_SUFFIXES).size).toBe(LEGAL_SUFFIXES.length);
    for (const suffix of LEGAL_SUFFIXES) expect(suffix).toMatch(/^[a-z]+$/);
  });

  it('is idempotent (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (name) => {
        const key = normalizeCompanyName(name);
        expect(normalizeCompanyName(key)).toBe(key);
      }),
      { numRuns: 1000 },
    );
  });

  it('ignores case, extra spacing and a legal suffix (property)', () => {
    const word = fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{1,8}$/);
    fc.assert(
      fc.property(
        fc.array(word, { minLength: 1, maxLength: 4 }),
        fc.constantFrom(...LEGAL_SUFFIXES),
        (words, suffix) => {
          fc.pre(
            !LEGAL_SUFFIXES.includes(words.at(-1)!.toLowerCase()) && words.at(-1)!.toLowerCase() !== 'and',
          );
          const plain = normalizeCompanyName(words.join(' '));
          expect(normalizeCompanyName(`  ${words.join('   ').toUpperCase()}, ${suffix.toUpperCase()}.`)).toBe(
            plain,
          );
        },
      ),
    );
  });
});

describe('normalizePersonName', () => {
  it('folds accents, case and spacing', () => {
    expect(normalizePersonName('  Chloé   MARTIN ')).toBe('chloe martin');
    expect(normalizePersonName('Chloe Martin')).toBe('chloe martin');
    expect(normalizePersonName('Zoë Ñúñez-Çelik')).toBe('zoe nunez celik');
    expect(normalizePersonName("Seán O'Brien")).toBe('sean obrien');
    expect(normalizePersonName('Łukasz Øster')).toBe('lukasz oster');
  });

  it('keeps legal-form words: a person named Co is still Co', () => {
    expect(normalizePersonName('Ana Co')).toBe('ana co');
  });

  it('is idempotent (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (name) => {
        const key = normalizePersonName(name);
        expect(normalizePersonName(key)).toBe(key);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('normalizeEmail', () => {
  it('trims and lower-cases, nothing else', () => {
    expect(normalizeEmail('  Chloe.Martin@Contoso-Dental.EXAMPLE ')).toBe(
      'chloe.martin@contoso-dental.example',
    );
    expect(normalizeEmail('a.b+tag@x.example')).toBe('a.b+tag@x.example');
  });

  it('is idempotent (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (email) => {
        expect(normalizeEmail(normalizeEmail(email))).toBe(normalizeEmail(email));
      }),
    );
  });
});

describe('normalizeDomain', () => {
  it.each([
    ['northwind.example', 'northwind.example'],
    ['NorthWind.Example', 'northwind.example'],
    ['www.northwind.example', 'northwind.example'],
    ['https://www.northwind.example/contact?x=1#top', 'northwind.example'],
    ['http://northwind.example:8080', 'northwind.example'],
    ['northwind.example/about', 'northwind.example'],
    ['  HTTPS://WWW.Northwind.Example.  ', 'northwind.example'],
    ['ftp://files.northwind.example', 'files.northwind.example'],
    ['https://user:pw@northwind.example', 'northwind.example'],
    ['https://bücher.example', 'xn--bcher-kva.example'],
  ])('reads %j as %j', (value, domain) => {
    expect(normalizeDomain(value)).toBe(domain);
  });

  it.each([
    [''],
    ['   '],
    ['n/a'],
    ['localhost'],
    ['http://'],
    ['192.168.1.10'],
    ['not a domain'],
    ['-bad-.example'],
  ])('finds no domain in %j', (value) => {
    expect(normalizeDomain(value)).toBeNull();
  });

  it('takes null and undefined as no domain', () => {
    expect(normalizeDomain(null)).toBeNull();
    expect(normalizeDomain(undefined)).toBeNull();
  });

  it('is idempotent on what it returns (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.webUrl(), fc.domain(), fc.string()), (value) => {
        const domain = normalizeDomain(value);
        if (domain !== null) expect(normalizeDomain(domain)).toBe(domain);
      }),
      { numRuns: 1000 },
    );
  });

  it('finds the same domain in a URL as in the bare domain (property)', () => {
    fc.assert(
      fc.property(fc.domain(), fc.webPath(), (domain, path) => {
        fc.pre(normalizeDomain(domain) !== null);
        expect(normalizeDomain(`https://www.${domain}${path}`)).toBe(normalizeDomain(domain));
      }),
    );
  });
});
