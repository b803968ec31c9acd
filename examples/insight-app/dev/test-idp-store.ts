import type { Adapter, AdapterFactory, AdapterPayload } from 'oidc-provider';

// The test identity provider's storage: sessions, interactions, grants, codes and tokens in memory, one store per
// provider instance (two providers in one test process never see each other's data).
//
// Note: oidc-provider ships a memory adapter of its own, but using it prints a "development-only adapter" warning on
// every start; this one is as small and keeps the tests quiet. It is not for production either: everything is lost
// when the process ends, which is what a test identity provider wants.

interface Entry {
  payload: AdapterPayload;
  /** Epoch milliseconds; `Infinity` when the model gave no lifetime. */
  expiresAt: number;
}

/** The models whose records a grant revocation removes (those that carry a `grantId`). */
const GRANTABLE = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
]);

/** Creates the adapter factory for one provider: `adapter: createMemoryStore()` in its configuration. */
export function createMemoryStore(now: () => number = Date.now): AdapterFactory {
  const entries = new Map<string, Entry>();
  const byUid = new Map<string, string>(); // session uid -> session key
  const byUserCode = new Map<string, string>(); // device user code -> key
  const byGrant = new Map<string, Set<string>>(); // grant id -> keys of its tokens

  const read = (key: string | undefined): AdapterPayload | undefined => {
    if (key === undefined) return undefined;
    const entry = entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= now()) {
      remove(key);
      return undefined;
    }
    return entry.payload;
  };

  const remove = (key: string): void => {
    const entry = entries.get(key);
    entries.delete(key);
    if (!entry) return;
    const { uid, userCode, grantId } = entry.payload;
    if (uid !== undefined && byUid.get(uid) === key) byUid.delete(uid);
    if (userCode !== undefined && byUserCode.get(userCode) === key) byUserCode.delete(userCode);
    if (grantId !== undefined) byGrant.get(grantId)?.delete(key);
  };

  // Expired records are dropped as they are read, and all of them at every write, so the store cannot grow without
  // bound in a long dev session (one pass over the entries: bounded by their number).
  const sweep = (): void => {
    const at = now();
    for (const [key, entry] of entries) if (entry.expiresAt <= at) remove(key);
  };

  return (model: string): Adapter => {
    const keyOf = (id: string) => `${model}:${id}`;
    return {
      async upsert(id, payload, expiresIn) {
        sweep();
        const key = keyOf(id);
        remove(key);
        const expiresAt = typeof expiresIn === 'number' ? now() + expiresIn * 1000 : Number.POSITIVE_INFINITY;
        entries.set(key, { payload, expiresAt });
        if (model === 'Session' && payload.uid !== undefined) byUid.set(payload.uid, key);
        if (payload.userCode !== undefined) byUserCode.set(payload.userCode, key);
        if (GRANTABLE.has(model) && payload.grantId !== undefined) {
          const members = byGrant.get(payload.grantId) ?? new Set<string>();
          members.add(key);
          byGrant.set(payload.grantId, members);
        }
      },
      async find(id) {
        return read(keyOf(id));
      },
      async findByUid(uid) {
        return read(byUid.get(uid));
      },
      async findByUserCode(userCode) {
        return read(byUserCode.get(userCode));
      },
      async consume(id) {
        const payload = read(keyOf(id));
        if (payload) payload.consumed = Math.floor(now() / 1000);
      },
      async destroy(id) {
        remove(keyOf(id));
      },
      async revokeByGrantId(grantId) {
        for (const key of byGrant.get(grantId) ?? []) remove(key);
        byGrant.delete(grantId);
      },
    };
  };
}
