export { MAX_STORED_KEY_LENGTH } from './collection.js';
export { StoreClosedError, StoreOperationError, StoreValueError } from './errors.js';
export type { JsonValue } from './json-value.js';
export { hashKey, KEY_SEPARATOR, stableKey, stableKeyPrefix } from './keys.js';
export { type OpenStoreOptions, openStore } from './open-store.js';
export { ACCEPTED_SCHEMES, redactUrl } from './store-url.js';
export type {
  Collection,
  Fence,
  LeaseOutcome,
  LeaseState,
  Leases,
  Store,
  StoreBackend,
  WriteStats,
} from './types.js';
