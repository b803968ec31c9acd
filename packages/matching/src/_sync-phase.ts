import { AdapterError, type Clock, isQdeskError, type PsaAdapter } from '@qdesk/core';
import type { PsaCompany, PsaContact } from '@qdesk/core/ports';
import { recordProblem, SHAPES } from './_inputs.js';
import type { MappingStore } from './mapping-store.js';
import type { MatchingSyncProgress, SkippedRecord } from './matching-sync.js';
import type { SyncCheckpoint } from './types.js';

/** What a phase of a sync run works with. @internal */
export interface PhaseContext {
  psa: PsaAdapter;
  store: MappingStore;
  tenantId: string;
  clock: Clock;
  batchSize: number;
  emit: (progress: MatchingSyncProgress) => void;
}

/**
 * Reads one phase (all companies or all contacts) after `start.afterId`, storing each PSA page (or `batchSize`
 * records) with the checkpoint that covers it, and returns the checkpoint at the end of the phase. When the listing
 * fails, what was read before the failure is stored first, so the next run resumes right after it.
 * @internal
 */
export async function readPhase(
  ctx: PhaseContext,
  phase: 'companies' | 'contacts',
  start: SyncCheckpoint,
  skipped: SkippedRecord[],
  signal: AbortSignal | undefined,
): Promise<SyncCheckpoint> {
  const { psa, store, tenantId, clock, batchSize, emit } = ctx;
  const doneKey = phase === 'companies' ? 'companiesDone' : 'contactsDone';
  const base = start[doneKey];
  let checkpoint = start;
  let total: number | null = null;
  let buffer: Array<PsaCompany | PsaContact> = [];
  let lastId: string | null = null;
  let pageEnded = false;
  const report = () => {
    const done = checkpoint[doneKey];
    emit({ phase, done, total: total === null ? null : Math.max(total, done) });
  };
  const flush = async () => {
    if (lastId === null || lastId === checkpoint.afterId) return;
    const records = buffer;
    const next: SyncCheckpoint = {
      ...checkpoint,
      afterId: lastId,
      [doneKey]: checkpoint[doneKey] + records.length,
      updatedAt: clock.now(),
    };
    await AdapterError.wrap('mapping store', 'saveSyncBatch', () =>
      store.saveSyncBatch(tenantId, {
        checkpoint: next,
        [phase]: records,
      }),
    );
    buffer = [];
    checkpoint = next;
    report();
  };

  report();
  const options = {
    signal,
    ...(checkpoint.afterId === null ? {} : { afterId: checkpoint.afterId }),
    onProgress: (p: { done: number; total: number | null }) => {
      pageEnded = true;
      total = p.total === null ? null : base + p.total;
    },
  };
  let storeFailed = false;
  const port = `PSA (${psa.name})`;
  const operation = phase === 'companies' ? 'listCompanies' : 'listContacts';
  try {
    // Both exist: createMatchingSync refuses a PSA without capabilities.listRecords and the two listings.
    const listing = phase === 'companies' ? psa.listCompanies!(options) : psa.listContacts!(options);
    for await (const record of listing as AsyncIterable<PsaCompany | PsaContact>) {
      if (pageEnded || buffer.length >= batchSize) {
        storeFailed = true;
        await flush();
        storeFailed = false;
      }
      pageEnded = false;
      const id = (record as { id?: unknown } | null)?.id;
      if (typeof id !== 'string' || id === '') {
        throw new AdapterError(`The ${port} listed a ${phase} record without an id; check the adapter.`, {
          port,
          operation,
        });
      }
      const issue = recordProblem(record, phase === 'companies' ? SHAPES.company : SHAPES.contact, phase);
      if (issue) skipped.push({ phase, id, issue });
      else buffer.push(record);
      lastId = id;
    }
  } catch (error) {
    if (storeFailed) throw error;
    // Keep what was read before the failure, so the next run resumes right after it.
    await flush().catch(() => undefined);
    if (signal?.aborted || isQdeskError(error)) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    const at = checkpoint.afterId === null ? 'from the start' : `after id ${checkpoint.afterId}`;
    throw new AdapterError(
      `Reading ${phase} from the ${port} failed: ${reason}. ${checkpoint[doneKey]} are stored; run the ` +
        `sync again to resume ${at}.`,
      {
        cause: error,
        port,
        operation,
        details: { phase, afterId: checkpoint.afterId, done: checkpoint[doneKey] },
      },
    );
  }
  await flush();
  total = checkpoint[doneKey];
  report();
  return checkpoint;
}
