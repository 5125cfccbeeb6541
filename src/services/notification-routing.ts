import type { NotificationPerson, PoliceNotification } from '../model/police-notification.js';
import { isPlanActive } from '../model/protection-plan.js';
import type { Queryable } from '../store/db.js';
import { plansForPerson } from '../store/plans-repo.js';
import { routeForPostcode } from '../store/routing-repo.js';

/** How the responsible local authority was found, strongest first. */
export type RouteBasis = 'active-plan' | 'la-records' | 'postcode';

export type Responsible = { la: string; basis: RouteBasis; detail: string } | { la: null; reason: string };

/**
 * The local authority responsible for a child: the owner of the child's active protection
 * plan, else the LA that most recently sent the gateway a record of the child, else the LA
 * for the child's postcode (or the incident's) in the routing table.
 */
export async function responsibleLa(q: Queryable, personId: string, child: NotificationPerson, notification: Pick<PoliceNotification, 'location'>, today: string): Promise<Responsible> {
  const plan = (await plansForPerson(q, personId)).find((p) => isPlanActive(p, today) && p.owner.startsWith('la:'));
  if (plan) return { la: plan.owner, basis: 'active-plan', detail: `active ${plan.kind} since ${plan.period.start}` };
  const [source] = await q.query<{ owner: string }>(
    `SELECT owner FROM (
       SELECT owner, updated_at FROM person_sources WHERE person_id = $1 AND owner LIKE 'la:%'
       UNION ALL SELECT owner, updated_at FROM canonical_records WHERE person_id = $1 AND owner LIKE 'la:%') AS held
     ORDER BY updated_at DESC LIMIT 1`,
    [personId],
  );
  if (source) return { la: source.owner, basis: 'la-records', detail: `${source.owner} holds records of the child` };
  const postcodes = [child.address?.postcode, notification.location.postcode].filter((p): p is string => p !== undefined);
  for (const postcode of postcodes) {
    const found = await routeForPostcode(q, postcode);
    if (found) return { la: `la:${found.laNumber}`, basis: 'postcode', detail: `postcode ${found.granularity} ${found.key} is served by la:${found.laNumber} (routing table ${found.fileName})` };
  }
  return {
    la: null,
    reason: postcodes.length === 0 ? 'the child has no plan or LA record, and neither the child nor the incident has a postcode' : 'the child has no plan or LA record, and the postcode is not in the routing table',
  };
}
