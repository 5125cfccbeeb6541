import type { Actor } from '../model/access-record.js';
import type { Agency } from '../model/agency.js';
import { COMMUNICATION_CATEGORY_SYSTEM, NHS_NUMBER_SYSTEM } from '../model/systems.js';
import { organizationReference } from './organization.js';

export const ACCESS_NOTIFICATION = { code: 'cpis-access-notification', display: 'CP-IS access to service notification' } as const;

/**
 * The notice a local authority receives when an unscheduled-care setting looks at its
 * child's record (CP-IS Access to Service Notification): who, from where, when, which plans.
 */
export function accessNotification(input: {
  id: string;
  at: string;
  nhsNumber: string;
  planIds: string[];
  owner: Agency;
  accessor: Actor;
  accessorAgency: Agency;
  purpose: string;
}): fhir4.Communication {
  return {
    resourceType: 'Communication',
    id: input.id,
    status: 'completed',
    category: [{ coding: [{ system: COMMUNICATION_CATEGORY_SYSTEM, ...ACCESS_NOTIFICATION }] }],
    priority: 'routine',
    subject: { identifier: { system: NHS_NUMBER_SYSTEM, value: input.nhsNumber } },
    about: input.planIds.map((id) => ({ reference: `CareTeam/${id}` })),
    sent: input.at,
    recipient: [organizationReference(input.owner)],
    sender: organizationReference(input.accessorAgency),
    reasonCode: [{ text: input.purpose }],
    payload: [
      {
        contentString: `Unscheduled-care access to the CP-IS record by ${input.accessorAgency.name} (user ${input.accessor.sub}, role ${input.accessor.role}) at ${input.at}.`,
      },
    ],
  };
}
