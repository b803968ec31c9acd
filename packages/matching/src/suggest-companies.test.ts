import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { company, customer } from './fixtures.test-helpers.js';
import { suggestCompanyMatches } from './suggest-companies.js';

describe('suggestCompanyMatches', () => {
  it('suggests strongly on the same name after normalisation (case, spacing, punctuation, legal suffix)', () => {
    const suggestions = suggestCompanyMatches(
      [company('101', 'NORTHWIND  Traders, Inc.'), company('102', 'Contoso Dental L.L.C.')],
      [customer('cust-northwind', 'Northwind Traders'), customer('cust-contoso', 'contoso dental ltd')],
    );
    expect(suggestions).toEqual([
      {
        companyId: '101',
        customerId: 'cust-northwind',
        reason: 'same_name',
        reasons: ['same_name'],
        strength: 'strong',
        tie: false,
        ties: [],
        conflicts: [],
      },
      expect.objectContaining({ companyId: '102', customerId: 'cust-contoso', strength: 'strong' }),
    ]);
  });

  it('suggests weakly on the same web domain, from a URL against a bare domain', () => {
    const suggestions = suggestCompanyMatches(
      [company('1', 'Fabrikam Logistics', 'https://www.Fabrikam.example/about')],
      [customer('c-fab', 'FBK Group', 'fabrikam.example')],
    );
    expect(suggestions).toEqual([
      expect.objectContaining({ customerId: 'c-fab', reason: 'same_domain', strength: 'weak', tie: false }),
    ]);
  });

  it('gives one suggestion with both reasons when name and domain agree', () => {
    const [only, ...rest] = suggestCompanyMatches(
      [company('1', 'Adatum GmbH', 'adatum.example')],
      [customer('c1', 'Adatum', 'www.adatum.example')],
    );
    expect(rest).toEqual([]);
    expect(only).toMatchObject({
      reason: 'same_name',
      reasons: ['same_name', 'same_domain'],
      strength: 'strong',
    });
  });

  it('shows customers sharing the normalised name as a tie, none strong', () => {
    const suggestions = suggestCompanyMatches(
      [company('1', 'Acme Inc', 'acme.example')],
      [customer('c1', 'ACME LLC', 'acme.example'), customer('c2', 'Acme'), customer('c3', 'Acme Corp.')],
    );
    expect(suggestions.map((s) => [s.customerId, s.strength, s.tie, s.ties])).toEqual([
      ['c1', 'weak', true, ['c2', 'c3']],
      ['c2', 'weak', true, ['c1', 'c3']],
      ['c3', 'weak', true, ['c1', 'c2']],
    ]);
  });

  it('keeps a unique name match strong beside a different customer on the same domain', () => {
    const suggestions = suggestCompanyMatches(
      [company('1', 'Acme Labs', 'acme.example')],
      [customer('c-labs', 'Acme Labs'), customer('c-corp', 'Acme Corp', 'acme.example')],
    );
    expect(suggestions.map((s) => [s.customerId, s.reason, s.strength])).toEqual([
      ['c-labs', 'same_name', 'strong'],
      ['c-corp', 'same_domain', 'weak'],
    ]);
  });

  it('marks several customers on one domain as a tie', () => {
    const suggestions = suggestCompanyMatches(
      [company('1', 'Something Else', 'acme.example')],
      [customer('c1', 'Acme East', 'acme.example'), customer('c2', 'Acme West', 'https://acme.example')],
    );
    expect(suggestions.every((s) => s.tie && s.strength === 'weak')).toBe(true);
    expect(suggestions.map((s) => s.ties)).toEqual([['c2'], ['c1']]);
  });

  it('downgrades a customer that is the strong candidate of two companies to a conflict', () => {
    const suggestions = suggestCompanyMatches(
      [company('1', 'Acme Inc'), company('2', 'ACME LLC'), company('3', 'Other')],
      [customer('c1', 'Acme'), customer('c-other', 'Other')],
    );
    expect(suggestions).toEqual([
      expect.objectContaining({
        companyId: '1',
        strength: 'weak',
        conflicts: [{ type: 'shared_candidate', otherIds: ['2'] }],
      }),
      expect.objectContaining({
        companyId: '2',
        strength: 'weak',
        conflicts: [{ type: 'shared_candidate', otherIds: ['1'] }],
      }),
      expect.objectContaining({ companyId: '3', strength: 'strong', conflicts: [] }),
    ]);
  });

  it('does not re-suggest a linked company, nor offer a linked customer', () => {
    const suggestions = suggestCompanyMatches(
      [company('1', 'Acme'), company('2', 'Beta'), company('3', 'Acme')],
      [customer('c-acme', 'Acme'), customer('c-beta', 'Beta')],
      [
        { companyId: '1', customerId: 'c-acme' },
        { companyId: '2', customerId: 'c-other' },
      ],
    );
    expect(suggestions).toEqual([]);
  });

  it('never suggests on an empty name or an unparseable web address', () => {
    expect(
      suggestCompanyMatches(
        [company('1', ' -- ', 'n/a')],
        [customer('c1', '...', null), customer('c2', 'X', 'n/a')],
      ),
    ).toEqual([]);
  });

  it('rejects malformed input naming the field', () => {
    expect(() => suggestCompanyMatches([company('', 'A')], [])).toThrow(
      expect.objectContaining({
        code: 'input_invalid',
        issues: [{ path: 'companies.0.id', message: expect.any(String) }],
      }),
    );
    expect(() =>
      suggestCompanyMatches([], [{ ...customer('c', 'A'), domain: 3 as unknown as string }]),
    ).toThrow(/customers\.0\.domain/);
    expect(() => suggestCompanyMatches([], [], null as unknown as [])).toThrow(/links: must be an array/);
  });

  it('never gives a company or a customer more than one strong suggestion (property)', () => {
    const names = [
      'Acme',
      'ACME Inc.',
      'Acme LLC',
      'Beta',
      'Béta GmbH',
      'Gamma & Co',
      'Gamma and Co',
      'Delta',
    ];
    const domains = [null, 'acme.example', 'https://www.acme.example', 'beta.example', 'gamma.example'];
    const arbCompany = fc.record({
      id: fc.integer({ min: 1, max: 30 }).map(String),
      name: fc.constantFrom(...names),
      webAddress: fc.constantFrom(...domains),
      isActive: fc.boolean(),
    });
    const arbCustomer = fc.record({
      id: fc.integer({ min: 1, max: 30 }).map((n) => `c${n}`),
      tenantId: fc.constant('t'),
      name: fc.constantFrom(...names),
      domain: fc.constantFrom(...domains),
    });
    fc.assert(
      fc.property(
        fc.array(arbCompany, { maxLength: 20 }),
        fc.array(arbCustomer, { maxLength: 20 }),
        (cos, cus) => {
          const suggestions = suggestCompanyMatches(cos, cus);
          const strongPerCompany = new Map<string, number>();
          const strongPerCustomer = new Map<string, number>();
          for (const s of suggestions) {
            if (s.tie || s.conflicts.length > 0) expect(s.strength).toBe('weak');
            if (s.strength !== 'strong') continue;
            strongPerCompany.set(s.companyId, (strongPerCompany.get(s.companyId) ?? 0) + 1);
            strongPerCustomer.set(s.customerId, (strongPerCustomer.get(s.customerId) ?? 0) + 1);
          }
          for (const n of [...strongPerCompany.values(), ...strongPerCustomer.values()]) expect(n).toBe(1);
          const pairs = suggestions.map((s) => `${s.companyId}/${s.customerId}`);
          expect(new Set(pairs).size).toBe(pairs.length);
        },
      ),
    );
  });
});
