import type { PoliceNotification } from '../model/police-notification.js';
import type { GatewayContext } from '../services/context.js';
import type { Queryable } from '../store/db.js';

export interface RaisedAlert {
  id: string;
  rule: string;
  recipient: string;
  personId: string | null;
}

/**
 * Evaluates the alert rules that a newly stored notification can trigger, in the
 * notification's transaction, and stores what they raise. `responsible` maps each subject
 * child's person id to its responsible LA. (Stub: the rule engine lands with alerts.)
 */
export async function raiseNotificationAlerts(_ctx: GatewayContext, _tx: Queryable, _notification: PoliceNotification, _responsible: ReadonlyMap<string, string>): Promise<RaisedAlert[]> {
  return Promise.resolve([]);
}
