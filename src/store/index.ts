import { EmbeddedStore } from './embedded-store.js';
import type { StoreOptions } from './types.js';

export type * from './types.js';
export { EmbeddedStore } from './embedded-store.js';
export { encodeChunk, decodeChunk, decodeChunkInto, chunkSampleCount, MAX_ABS_TIMESTAMP } from './chunk-codec.js';

/** Opens (creating if needed) the embedded store in opts.dir, replaying its WAL. */
export function openStore(opts: StoreOptions): EmbeddedStore {
  return new EmbeddedStore(opts);
}
