import type { Store } from '../store/types.js';
import {
  type CachedCompletion,
  cachedCompletionSchema,
  type ImageResult,
  imageResultSchema,
  NAMESPACES,
  type ProbeCollection,
  type RunRecord,
  runRecordSchema,
} from './records.js';

/** Where the probe keeps replies (by request), runs (by id) and each run's image results. */
export interface ProbeStores {
  cache: ProbeCollection<CachedCompletion>;
  runs: ProbeCollection<RunRecord>;
  items: ProbeCollection<ImageResult>;
}

/** The probe's three collections in a store, each validated on read and write. */
export function probeStores(store: Store): ProbeStores {
  return {
    cache: store.collection(NAMESPACES.cache, cachedCompletionSchema),
    runs: store.collection(NAMESPACES.runs, runRecordSchema),
    items: store.collection(NAMESPACES.items, imageResultSchema),
  };
}
