/**
 * The data behind the Microsoft Graph fake: users with their phone methods, and an append-only change log that delta
 * links read from. Deterministic: generated users and changes come from a seeded generator.
 */

/** A phone authentication method as Graph lists it. */
export interface FakePhoneMethod {
  phoneType: 'mobile' | 'alternateMobile' | 'office';
  /** Graph's format: country code, a space, the number (`+1 4255550123`). */
  phoneNumber: string;
}

/** A user of the fake tenant, with every property the source selects. */
export interface FakeGraphUser {
  id: string;
  displayName: string;
  userPrincipalName: string;
  mail: string | null;
  otherMails: string[];
  mobilePhone: string | null;
  businessPhones: string[];
  accountEnabled: boolean;
  phoneMethods: FakePhoneMethod[];
}

/** The selectable properties (everything but the phone methods, which have their own endpoint). */
export type FakeUserProperty = Exclude<keyof FakeGraphUser, 'id' | 'phoneMethods'>;

/** One entry of the change log. */
export interface FakeLogEntry {
  seq: number;
  id: string;
  /** `created`, `removed`, or the properties that changed. */
  change: 'created' | { removed: 'changed' | 'deleted' } | FakeUserProperty[];
}

/** A change applied by {@link FakeDirectoryData.applyChanges}, for assertions and benchmarks. */
export type FakeChange =
  | { type: 'mobile_changed'; id: string; mobilePhone: string }
  | { type: 'disabled'; id: string }
  | { type: 'deleted'; id: string }
  | { type: 'created'; id: string };

/** mulberry32: a small seeded generator, so generated tenants are the same on every run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

// Area codes in service, with the 555-01XX lines reserved for fiction: valid numbers that reach nobody.
const AREAS = ['201', '206', '212', '305', '312', '415', '425', '512', '617', '702', '718', '801'];

/** A fictional US number in Graph's `mobilePhone` style (`+1 425 555 0142`). */
export function fictionalPhone(n: number): string {
  return `+1 ${AREAS[n % AREAS.length]} 555 01${String(Math.floor(n / AREAS.length) % 100).padStart(2, '0')}`;
}

/** The same number as Graph writes phone methods: country code, a space, the rest (`+1 4255550142`). */
export function methodStyle(phone: string): string {
  const [country, ...rest] = phone.split(' ');
  return `${country} ${rest.join('')}`;
}

const fakeId = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

/** The fake tenant's users and change log. */
export class FakeDirectoryData {
  readonly users = new Map<string, FakeGraphUser>();
  /** Creation order, so full reads page stably while users come and go. */
  readonly created = new Map<string, number>();
  readonly log: FakeLogEntry[] = [];
  seq = 0;
  private serial = 0;

  /** Adds a user (a `created` change); unspecified properties get generated values. */
  addUser(user: Partial<FakeGraphUser> = {}): FakeGraphUser {
    const n = ++this.serial;
    const name = `user${String(n).padStart(5, '0')}`;
    const full: FakeGraphUser = {
      id: fakeId(n),
      displayName: `Test User ${n}`,
      userPrincipalName: `${name}@fabrikam.example`,
      mail: `${name}@fabrikam.example`,
      otherMails: [],
      mobilePhone: fictionalPhone(n),
      businessPhones: [],
      accountEnabled: true,
      phoneMethods: [{ phoneType: 'mobile', phoneNumber: methodStyle(fictionalPhone(n + 7)) }],
      ...user,
    };
    if (this.users.has(full.id)) throw new Error(`fake Graph: a user with id ${full.id} exists already`);
    this.users.set(full.id, full);
    this.created.set(full.id, ++this.seq);
    this.log.push({ seq: this.seq, id: full.id, change: 'created' });
    return full;
  }

  /** Changes properties of a user (logged with the properties that changed) or its phone methods (not logged). */
  updateUser(id: string, patch: Partial<Omit<FakeGraphUser, 'id'>>): FakeGraphUser {
    const user = this.mustGet(id);
    const changed = (Object.keys(patch) as Array<keyof typeof patch>).filter(
      (key): key is FakeUserProperty => key !== 'phoneMethods',
    );
    Object.assign(user, patch);
    // A phone method is not a user property: Graph's user delta does not see it change.
    if (changed.length > 0) this.log.push({ seq: ++this.seq, id, change: changed });
    return user;
  }

  /** Deletes a user: `changed` (soft, restorable) or `deleted` (permanent), as the `@removed` reason says. */
  deleteUser(id: string, reason: 'changed' | 'deleted' = 'changed'): void {
    this.mustGet(id);
    this.users.delete(id);
    this.log.push({ seq: ++this.seq, id, change: { removed: reason } });
  }

  /** Adds `count` generated users: a third without a mobile number, one in ten disabled, some with two MFA phones. */
  generateUsers(count: number, seed = 1): FakeGraphUser[] {
    const random = seededRandom(seed);
    const made: FakeGraphUser[] = [];
    for (let i = 0; i < count; i++) {
      const n = this.serial + 1;
      const methods: FakePhoneMethod[] = [];
      const roll = random();
      if (roll < 0.8) methods.push({ phoneType: 'mobile', phoneNumber: methodStyle(fictionalPhone(n + 3)) });
      if (roll < 0.2) methods.push({ phoneType: 'office', phoneNumber: methodStyle(fictionalPhone(n + 5)) });
      made.push(
        this.addUser({
          mobilePhone: random() < 0.33 ? null : fictionalPhone(n),
          businessPhones: random() < 0.5 ? [fictionalPhone(n + 11)] : [],
          accountEnabled: random() >= 0.1,
          otherMails: random() < 0.1 ? [`user${n}.alt@contoso.example`] : [],
          phoneMethods: methods,
        }),
      );
    }
    return made;
  }

  /**
   * Applies `count` changes to existing users, each to a different user: about half change their mobile number, a
   * fifth are disabled, a fifth deleted, a tenth new users.
   */
  applyChanges(count: number, seed = 2): FakeChange[] {
    const random = seededRandom(seed);
    const ids = [...this.users.keys()];
    const changes: FakeChange[] = [];
    for (let i = 0; i < count; i++) {
      const roll = random();
      if (roll >= 0.9 || ids.length === 0) {
        changes.push({ type: 'created', id: this.addUser().id });
        continue;
      }
      const [id] = ids.splice(Math.floor(random() * ids.length), 1) as [string];
      if (roll < 0.5) {
        const mobilePhone = fictionalPhone(Math.floor(random() * 1_000_000));
        this.updateUser(id, { mobilePhone });
        changes.push({ type: 'mobile_changed', id, mobilePhone });
      } else if (roll < 0.7) {
        this.updateUser(id, { accountEnabled: false });
        changes.push({ type: 'disabled', id });
      } else {
        this.deleteUser(id);
        changes.push({ type: 'deleted', id });
      }
    }
    return changes;
  }

  private mustGet(id: string): FakeGraphUser {
    const user = this.users.get(id);
    if (!user) throw new Error(`fake Graph: no user with id ${id}`);
    return user;
  }
}
