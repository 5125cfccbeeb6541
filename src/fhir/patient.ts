import type { Person } from '../model/person.js';
import { NHS_NUMBER_SYSTEM, NHS_NUMBER_VERIFICATION_EXTENSION, NHS_NUMBER_VERIFICATION_SYSTEM } from '../model/systems.js';
import { VERIFICATION_STATUSES } from '../model/nhs-number.js';

/** A person of the index as a UK Core style Patient: identifiers (NHS number with its verification status), names, sex, birth date, addresses. */
export function toFhirPatient(p: Person): fhir4.Patient {
  return {
    resourceType: 'Patient',
    id: p.id,
    identifier: p.identifiers.map((i) => ({
      system: i.system,
      value: i.value,
      ...(i.system === NHS_NUMBER_SYSTEM && i.verificationStatus
        ? {
            extension: [
              {
                url: NHS_NUMBER_VERIFICATION_EXTENSION,
                valueCodeableConcept: { coding: [{ system: NHS_NUMBER_VERIFICATION_SYSTEM, code: i.verificationStatus, display: VERIFICATION_STATUSES[i.verificationStatus] }] },
              },
            ],
          }
        : {}),
    })),
    ...(p.names.length > 0 ? { name: p.names.map((n) => ({ ...(n.use ? { use: n.use } : {}), ...(n.family ? { family: n.family } : {}), ...(n.given.length > 0 ? { given: n.given } : {}) })) } : {}),
    ...(p.sex ? { gender: p.sex } : {}),
    ...(p.birthDate ? { birthDate: p.birthDate } : {}),
    ...(p.deathDate ? { deceasedDateTime: p.deathDate } : {}),
    ...(p.addresses.length > 0
      ? { address: p.addresses.map((a) => ({ ...(a.lines.length > 0 ? { line: a.lines } : {}), ...(a.city ? { city: a.city } : {}), ...(a.postcode ? { postalCode: a.postcode } : {}) })) }
      : {}),
  };
}
