import { z } from 'zod';
import { assertPorts, idSchema, parseInput } from './_inputs.js';
import { rebuildAll } from './_kept-suggestions.js';
import type { MappingStore } from './mapping-store.js';
import type { SuggestionRebuild } from './matching-sync.js';

/** What {@link rebuildSuggestions} works on. @public */
export interface RebuildSuggestionsInput {
  /** The store holding the records, links and end-users; it keeps the suggestions. */
  store: MappingStore;
  /** The tenant (MSP). */
  tenantId: string;
}

const inputSchema = z.object({ store: z.unknown(), tenantId: idSchema }).strict();

/**
 * Recomputes every company and contact suggestion of a tenant from what the store holds (PSA records, customers,
 * links, end-users) and keeps them, replacing the ones kept before. A completed `MatchingSync.run` does it; call it
 * after loading records into a store some other way (an import, a seed). The cost grows linearly with the records.
 * @example
 * ```ts
 * await store.saveEndUsers(tenantId, { put: endUsers, replaceAll: true });
 * const { contactSuggestions } = await rebuildSuggestions({ store, tenantId });
 * ```
 * @throws `InputError` naming the bad field; `AdapterError` when the store fails.
 * @public
 */
export async function rebuildSuggestions(input: RebuildSuggestionsInput): Promise<SuggestionRebuild> {
  const { tenantId } = parseInput(inputSchema, input, 'rebuildSuggestions');
  assertPorts(input);
  return rebuildAll(input.store, tenantId);
}
