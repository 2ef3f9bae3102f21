// The seam itself is platform/typeorm-pg-pool.ts; this path stays for the Durable Streams store.
export { dataSourcePool } from '../platform/typeorm-pg-pool.js';
