import type { Store } from '../store/types.js';
import { cachedCompletionSchema, imageResultSchema, NAMESPACES, runRecordSchema } from './records.js';
import type { ProbeStores } from './runner.js';

/** The probe's three collections in a store, each validated on read and write. */
export function probeStores(store: Store): ProbeStores {
  return {
    cache: store.collection(NAMESPACES.cache, cachedCompletionSchema),
    runs: store.collection(NAMESPACES.runs, runRecordSchema),
    items: store.collection(NAMESPACES.items, imageResultSchema),
  };
}
