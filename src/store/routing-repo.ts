import type { Queryable } from './db.js';

/**
 * The local authority responsible for children living at a postcode, from the routing
 * table loaded by `sgw routing load`. Null when the postcode is not in the table.
 * (Stub: the routing table lands with `sgw routing load`.)
 */
export async function laForPostcode(_q: Queryable, _postcode: string): Promise<string | null> {
  return Promise.resolve(null);
}
