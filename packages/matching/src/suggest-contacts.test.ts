import { createDemoData } from '@qdesk/core/memory';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { contact, endUser } from './fixtures.test-helpers.js';
import { suggestContactMatches } from './suggest-contacts.js';

const links = [
  { companyId: '1', customerId: 'cust-a' },
  { companyId: '2', customerId: 'cust-b' },
];

describe('suggestContactMatches', () => {
  it('matches the demo data: email first whatever its case, a name alone as weak', () => {
    const demo = createDemoData();
    const suggestions = suggestContactMatches(demo.contacts, demo.endUsers, {
      companyLinks: [
        { companyId: '101', customerId: 'cust-northwind' },
        { companyId: '102', customerId: 'cust-contoso' },
        { companyId: '103', customerId: 'cust-fabrikam' },
      ],
    });
    expect(suggestions.map((s) => [s.contactId, s.endUserId, s.reasons, s.strength])).toEqual([
      ['201', 'eu-ana', ['same_email', 'same_name_person'], 'strong'],
      ['202', 'eu-ben', ['same_email', 'same_name_person'], 'strong'],
      ['203', 'eu-chloe', ['same_email', 'same_name_person'], 'strong'],
      ['204', 'eu-dev', ['same_email', 'same_name_person'], 'strong'],
      ['205', 'eu-eva', ['same_name_person'], 'weak'],
    ]);
  });

  it('matches an email differing only in case and spacing, in any of the contact emails', () => {
    const suggestions = suggestContactMatches(
      [contact('10', '1', 'Ana', 'Silva', ['ana@old.example', ' ANA.Silva@A.example '])],
      [endUser('eu-1', 'cust-a', 'Someone Else', 'ana.silva@a.example')],
      { companyLinks: links },
    );
    expect(suggestions).toEqual([
      {
        contactId: '10',
        companyId: '1',
        customerId: 'cust-a',
        endUserId: 'eu-1',
        reason: 'same_email',
        reasons: ['same_email'],
        strength: 'strong',
        tie: false,
        ties: [],
        conflicts: [],
        inactive: false,
      },
    ]);
  });

  it('matches first + last name with accents folded (Chloé / Chloe), and "Last, First" display names', () => {
    const suggestions = suggestContactMatches(
      [contact('10', '1', 'Chloé', 'Martin'), contact('11', '1', 'Zoe', 'Núñez')],
      [
        endUser('eu-c', 'cust-a', 'CHLOE  martin', 'c@a.example'),
        endUser('eu-z', 'cust-a', 'Nuñez, Zoë', 'z@a.example'),
      ],
      { companyLinks: links },
    );
    expect(suggestions.map((s) => [s.contactId, s.endUserId, s.reason, s.strength])).toEqual([
      ['10', 'eu-c', 'same_name_person', 'weak'],
      ['11', 'eu-z', 'same_name_person', 'weak'],
    ]);
  });

  it('needs both first and last name for a name match', () => {
    const suggestions = suggestContactMatches(
      [contact('10', '1', 'Ana', ''), contact('11', '1', '', 'Ana')],
      [endUser('eu-1', 'cust-a', 'Ana', 'a@a.example')],
      { companyLinks: links },
    );
    expect(suggestions).toEqual([]);
  });

  it('prefers email: a name shared with another end-user is not offered when an email matches', () => {
    const suggestions = suggestContactMatches(
      [contact('10', '1', 'John', 'Smith', ['john@a.example'])],
      [
        endUser('eu-1', 'cust-a', 'J. Smith', 'john@a.example'),
        endUser('eu-2', 'cust-a', 'John Smith', 'js@a.example'),
      ],
      { companyLinks: links },
    );
    expect(suggestions.map((s) => [s.endUserId, s.reasons, s.strength])).toEqual([
      ['eu-1', ['same_email'], 'strong'],
    ]);
  });

  it('only matches within the customer linked to the contact company', () => {
    const suggestions = suggestContactMatches(
      [
        contact('10', '1', 'Ana', 'Silva', ['ana@x.example']),
        contact('20', '3', 'Ana', 'Silva', ['ana2@x.example']),
      ],
      [
        endUser('eu-b', 'cust-b', 'Ana Silva', 'ana@x.example'),
        endUser('eu-none', undefined, 'Ana Silva', 'ana2@x.example'),
      ],
      { companyLinks: links },
    );
    expect(suggestions).toEqual([]);
  });

  it('shows name twins as a tie, none strong', () => {
    const suggestions = suggestContactMatches(
      [contact('10', '1', 'John', 'Smith')],
      [
        endUser('eu-1', 'cust-a', 'John Smith', 'j1@a.example'),
        endUser('eu-2', 'cust-a', 'john smith', 'j2@a.example'),
      ],
      { companyLinks: links },
    );
    expect(suggestions.map((s) => [s.endUserId, s.strength, s.tie, s.ties])).toEqual([
      ['eu-1', 'weak', true, ['eu-2']],
      ['eu-2', 'weak', true, ['eu-1']],
    ]);
  });

  it('shows a contact whose emails lead to two end-users as a tie', () => {
    const suggestions = suggestContactMatches(
      [contact('10', '1', 'Ana', 'Silva', ['ana@a.example', 'helpdesk@a.example'])],
      [
        endUser('eu-1', 'cust-a', 'Ana Silva', 'ana@a.example'),
        endUser('eu-2', 'cust-a', 'Desk', 'helpdesk@a.example'),
      ],
      { companyLinks: links },
    );
    expect(suggestions.map((s) => [s.endUserId, s.strength, s.tie])).toEqual([
      ['eu-1', 'weak', true],
      ['eu-2', 'weak', true],
    ]);
  });

  it('surfaces two contacts with one email as a conflict, never strong', () => {
    const suggestions = suggestContactMatches(
      [
        contact('10', '1', 'Ana', 'Silva', ['ana@a.example']),
        contact('11', '2', 'Ana', 'S.', ['Ana@A.example']),
      ],
      [endUser('eu-1', 'cust-a', 'Ana Silva', 'ana@a.example')],
      { companyLinks: links },
    );
    expect(suggestions).toEqual([
      expect.objectContaining({
        contactId: '10',
        endUserId: 'eu-1',
        strength: 'weak',
        conflicts: [{ type: 'email_on_several_contacts', email: 'ana@a.example', contactIds: ['10', '11'] }],
      }),
    ]);
  });

  it('surfaces one email on two end-users as a conflict, even across customers', () => {
    const suggestions = suggestContactMatches(
      [contact('10', '1', 'Ana', 'Silva', ['ana@a.example'])],
      [
        endUser('eu-1', 'cust-a', 'Ana Silva', 'ana@a.example'),
        endUser('eu-9', 'cust-b', 'Ana Silva', 'ANA@a.example'),
      ],
      { companyLinks: links },
    );
    expect(suggestions).toEqual([
      expect.objectContaining({
        endUserId: 'eu-1',
        strength: 'weak',
        conflicts: [
          { type: 'email_on_several_end_users', email: 'ana@a.example', endUserIds: ['eu-1', 'eu-9'] },
        ],
      }),
    ]);
  });

  it('flags inactive contacts and still lists them', () => {
    const suggestions = suggestContactMatches(
      [contact('10', '1', 'Ana', 'Silva', ['ana@a.example'], false)],
      [endUser('eu-1', 'cust-a', 'Ana Silva', 'ana@a.example')],
      { companyLinks: links },
    );
    expect(suggestions).toEqual([
      expect.objectContaining({ contactId: '10', inactive: true, strength: 'strong' }),
    ]);
  });

  it('suggests for a contact given twice once, and reads a duplicated end-user once', () => {
    const ana = contact('10', '1', 'Ana', 'Silva', ['ana@a.example']);
    const user = endUser('eu-1', 'cust-a', 'Ana Silva', 'ana@a.example');
    const suggestions = suggestContactMatches([ana, ana], [user, user], { companyLinks: links });
    expect(suggestions.map((s) => [s.contactId, s.endUserId, s.strength, s.conflicts])).toEqual([
      ['10', 'eu-1', 'strong', []],
    ]);
  });

  it('does not re-suggest linked contacts nor offer linked end-users', () => {
    const suggestions = suggestContactMatches(
      [
        contact('10', '1', 'Ana', 'Silva', ['ana@a.example']),
        contact('11', '1', 'Ben', 'Okafor', ['ben@a.example']),
      ],
      [
        endUser('eu-ana', 'cust-a', 'Ana Silva', 'ana@a.example'),
        endUser('eu-ben', 'cust-a', 'Ben Okafor', 'ben@a.example'),
      ],
      {
        companyLinks: links,
        contactLinks: [
          { contactId: '10', endUserId: 'eu-other' },
          { contactId: '99', endUserId: 'eu-ben' },
        ],
      },
    );
    expect(suggestions).toEqual([]);
  });

  it('rejects malformed input naming the field', () => {
    const good = contact('10', '1', 'A', 'B');
    expect(() =>
      suggestContactMatches([{ ...good, emails: [3 as unknown as string] }], [], { companyLinks: [] }),
    ).toThrow(/contacts\.0\.emails/);
    expect(() =>
      suggestContactMatches([good], [{ ...endUser('u', 'c', 'A', 'a@b.c'), customerId: '' }], {
        companyLinks: [],
      }),
    ).toThrow(/endUsers\.0\.customerId/);
    expect(() => suggestContactMatches([good], [], undefined as never)).toThrow(
      /options\.companyLinks: must be an array/,
    );
    expect(() => suggestContactMatches([good], [], { companyLinks: [{ companyId: 1 } as never] })).toThrow(
      /options\.companyLinks\.0\.companyId/,
    );
  });

  it('keeps every suggestion within the contact company customer and never two strong per contact or end-user (property)', () => {
    const arbContact = fc.record({
      id: fc.integer({ min: 1, max: 25 }).map(String),
      companyId: fc.constantFrom('1', '2', '3'),
      firstName: fc.constantFrom('Ana', 'Ána', 'Ben', ''),
      lastName: fc.constantFrom('Silva', 'SILVA', 'Okafor'),
      emails: fc.array(fc.constantFrom('a@x.example', 'A@X.example', 'b@x.example', 'c@x.example'), {
        maxLength: 3,
      }),
      mobilePhone: fc.constant(null),
      phone: fc.constant(null),
      isActive: fc.boolean(),
    });
    const arbUser = fc
      .tuple(
        fc.integer({ min: 1, max: 25 }),
        fc.constantFrom('cust-a', 'cust-b', undefined),
        fc.constantFrom('Ana Silva', 'Silva, Ana', 'Ben Okafor', 'Zed'),
        fc.constantFrom('a@x.example', 'b@x.example', 'c@X.example', 'd@x.example'),
      )
      .map(([n, customerId, name, email]) => endUser(`eu-${n}`, customerId, name, email));
    fc.assert(
      fc.property(
        fc.array(arbContact, { maxLength: 15 }),
        fc.array(arbUser, { maxLength: 15 }),
        (contacts, users) => {
          const suggestions = suggestContactMatches(contacts, users, { companyLinks: links });
          const customerOf = new Map(links.map((l) => [l.companyId, l.customerId]));
          const userById = new Map<string, (typeof users)[number]>();
          for (const u of users) if (!userById.has(u.id)) userById.set(u.id, u);
          const strong = new Map<string, number>();
          for (const s of suggestions) {
            expect(userById.get(s.endUserId)!.customerId).toBe(customerOf.get(s.companyId));
            expect(s.customerId).toBe(customerOf.get(s.companyId));
            if (s.tie || s.conflicts.length > 0) expect(s.strength).toBe('weak');
            if (s.strength === 'strong') {
              expect(s.reason).toBe('same_email');
              for (const key of [`c:${s.contactId}`, `u:${s.endUserId}`])
                strong.set(key, (strong.get(key) ?? 0) + 1);
            }
          }
          for (const n of strong.values()) expect(n).toBe(1);
        },
      ),
    );
  });
});
