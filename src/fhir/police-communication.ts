import type { Agency } from '../model/agency.js';
import type { PoliceNotification } from '../model/police-notification.js';
import { COMMUNICATION_CATEGORY_SYSTEM, NHS_NUMBER_SYSTEM, SGW_BASE } from '../model/systems.js';
import { organizationReference } from './organization.js';

export const POLICE_NOTIFICATION = { code: 'police-notification', display: 'Police notification about a child' } as const;
export const ENCOMPASS_NOTICE = { code: 'operation-encompass-notice', display: 'Operation Encompass notice to a school' } as const;
export const UNROUTABLE_NOTIFICATION = { code: 'police-notification-unroutable', display: 'Police notification the gateway could not route' } as const;

export const POLICE_NOTIFICATION_ID_SYSTEM = `${SGW_BASE}/Id/police-notification`;
export const PERSON_ID_SYSTEM = `${SGW_BASE}/Id/person`;

type Category = typeof POLICE_NOTIFICATION | typeof ENCOMPASS_NOTICE | typeof UNROUTABLE_NOTIFICATION;


/** One line for an address or place. */
export function placeText(l: PoliceNotification['location'] | undefined): string {
  if (!l) return 'not given';
  return [...l.lines, l.city, l.postcode, l.description].filter((x): x is string => x !== undefined && x !== '').join(', ') || (l.uprn ? `UPRN ${l.uprn}` : 'not given');
}

export interface NoticeInput {
  id: string;
  category: Category;
  at: string;
  notification: Pick<PoliceNotification, 'id' | 'force' | 'reference' | 'version' | 'type'>;
  recipient: Agency;
  sender: Agency;
  /** The child the notice is about: NHS number when known, else the gateway's person id. */
  child: { personId: string; nhsNumber?: string | undefined } | null;
  priority: 'routine' | 'urgent';
  text: string;
  /** The released content, as JSON. */
  content: unknown;
}

/**
 * A routed police notification, an Operation Encompass notice or a dead letter, as the FHIR
 * Communication the recipient reads in its inbox. The readable text and the JSON attachment
 * carry only what the recipient may see.
 */
export function noticeCommunication(input: NoticeInput): fhir4.Communication {
  const n = input.notification;
  return {
    resourceType: 'Communication',
    id: input.id,
    status: 'completed',
    category: [{ coding: [{ system: COMMUNICATION_CATEGORY_SYSTEM, ...input.category }] }],
    priority: input.priority,
    ...(input.child
      ? { subject: { identifier: input.child.nhsNumber ? { system: NHS_NUMBER_SYSTEM, value: input.child.nhsNumber } : { system: PERSON_ID_SYSTEM, value: input.child.personId } } }
      : {}),
    about: [{ identifier: { system: POLICE_NOTIFICATION_ID_SYSTEM, value: n.id }, display: `${n.type} ${n.force} ${n.reference} version ${n.version}` }],
    sent: input.at,
    recipient: [organizationReference(input.recipient)],
    sender: organizationReference(input.sender),
    reasonCode: [{ text: n.type }],
    payload: [
      { contentString: input.text },
      { contentAttachment: { contentType: 'application/json', title: input.category.code, data: Buffer.from(JSON.stringify(input.content), 'utf8').toString('base64') } },
    ],
  };
}
