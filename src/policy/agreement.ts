import { z } from 'zod';
import { AGENCY_TYPE_BY_KIND, agencyIdProblem } from '../model/agency.js';
import type { AgencyType } from '../model/agency.js';
import { SecurityLabelSchema } from '../model/provenance.js';
import { fieldProblem, isRecordType, RECORD_TYPES } from './datasets.js';
import type { RecordType } from './datasets.js';
import { PURPOSES } from './purposes.js';
import { ROLES } from './roles.js';
import type { Role } from './roles.js';

const AGENCY_TYPES = [...new Set(Object.values(AGENCY_TYPE_BY_KIND))] as AgencyType[];

/**
 * A party to an agreement: one agency by id (`la:383`, `ods:RR8`) or every agency of a
 * type (`type:health`, `type:local-authority`).
 */
export const PartySchema = z.string().superRefine((v, ctx) => {
  if (v.startsWith('type:')) {
    const type = v.slice(5);
    if (!(AGENCY_TYPES as string[]).includes(type)) ctx.addIssue({ code: 'custom', message: `'${v}': expected type: followed by one of ${AGENCY_TYPES.join(', ')}` });
    return;
  }
  const problem = agencyIdProblem(v);
  if (problem) ctx.addIssue({ code: 'custom', message: `'${v}': ${problem}, or type:<agency type>` });
});

const RoleSchema = z.enum(Object.keys(ROLES) as [Role, ...Role[]]);
const PurposeSchema = z.enum(PURPOSES);

/** Record type → the fields released (`*` for all of them). */
const DatasetsSchema = z.record(z.string(), z.array(z.string().min(1)).min(1)).superRefine((datasets, ctx) => {
  for (const [type, fields] of Object.entries(datasets)) {
    if (!isRecordType(type)) {
      ctx.addIssue({ code: 'custom', path: [type], message: `'${type}' is not a record type; expected one of ${RECORD_TYPES.join(', ')}` });
      continue;
    }
    fields.forEach((field, i) => {
      const problem = fieldProblem(type, field);
      if (problem) ctx.addIssue({ code: 'custom', path: [type, i], message: problem });
    });
  }
});

/**
 * One sharing rule of an agreement: records of these types, owned by `from`, may be
 * released (or, with `effect: deny`, must not be) to users of `to` holding one of `roles`
 * and acting for one of `purposes`. `labels` names the confidentiality labels the rule
 * covers: N unless it says otherwise, because R and V records are released only where an
 * agreement names them.
 */
export const ShareSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'expected a lower-case id of letters, digits and hyphens'),
    description: z.string().optional(),
    effect: z.enum(['permit', 'deny']).default('permit'),
    from: z.array(PartySchema).min(1).optional(),
    to: z.array(PartySchema).min(1).optional(),
    roles: z.array(RoleSchema).min(1).optional(),
    purposes: z.array(PurposeSchema).min(1).optional(),
    datasets: DatasetsSchema,
    // Defaults (applied by the engine): N for a permitting share, every label for a denying one.
    labels: z.array(SecurityLabelSchema).min(1).optional(),
  })
  .strict()
  .superRefine((share, ctx) => {
    if (share.effect === 'permit') {
      if (!share.roles) ctx.addIssue({ code: 'custom', path: ['roles'], message: 'a permitting share must name the roles it permits' });
      if (!share.purposes) ctx.addIssue({ code: 'custom', path: ['purposes'], message: 'a permitting share must name the purposes it permits' });
    }
  });
export type Share = z.infer<typeof ShareSchema> & { datasets: Partial<Record<RecordType, string[]>> };

/** The lawful basis the agreement relies on, as the parties wrote it into the agreement. */
const LawfulBasisSchema = z
  .object({
    /** UK GDPR Article 6 condition, e.g. "6(1)(e) public task"; police processing under DPA 2018 Part 3 names s.35. */
    article6: z.string().min(1).optional(),
    /** Special category data: UK GDPR Article 9 condition with its DPA 2018 Schedule 1 paragraph. */
    article9: z.string().min(1).optional(),
    /** Law enforcement processing (DPA 2018 Part 3). */
    part3: z.string().min(1).optional(),
    /** The statute that gives the function or the duty to share (Children Act 2004 s.16LA, s.11, s.47…). */
    statute: z.string().min(1).optional(),
  })
  .strict()
  .refine((b) => b.article6 !== undefined || b.part3 !== undefined, { message: 'a lawful basis needs article6 (UK GDPR) or part3 (DPA 2018 Part 3, law enforcement)' });

const IsoDate = z.iso.date('expected a date as YYYY-MM-DD');

/** A data-sharing agreement between partners, as one file in config/agreements/. */
export const AgreementSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'expected a lower-case id of letters, digits and hyphens'),
    title: z.string().min(1),
    version: z.union([z.string().min(1), z.number()]).transform(String),
    parties: z
      .array(PartySchema)
      .min(1)
      .refine((p) => p.length > 1 || p[0]?.startsWith('type:'), { message: 'an agreement needs at least two parties (or one type:, which covers every agency of that type)' }),
    lawfulBasis: LawfulBasisSchema,
    /** Whether the data subject's consent is required before release under this agreement. */
    consentRequired: z.boolean(),
    /** Roles that may override a refused or withdrawn consent (with a safeguarding purpose and a recorded reason). */
    overrideRoles: z.array(RoleSchema).default([]),
    /** In force from this day (inclusive); always, when absent. */
    effectiveFrom: IsoDate.optional(),
    /** No longer in force after this day; open-ended when absent. */
    expires: IsoDate.optional(),
    /** When the parties must review it. A past review date is reported at start-up; it does not end the agreement. */
    reviewDate: IsoDate,
    shares: z.array(ShareSchema).min(1),
  })
  .strict()
  .superRefine((a, ctx) => {
    const ids = new Set<string>();
    a.shares.forEach((share, i) => {
      if (ids.has(share.id)) ctx.addIssue({ code: 'custom', path: ['shares', i, 'id'], message: `share id '${share.id}' is used twice in this agreement` });
      ids.add(share.id);
      for (const side of ['from', 'to'] as const) {
        (share[side] ?? []).forEach((party, j) => {
          if (!coveredBy(party, a.parties)) ctx.addIssue({ code: 'custom', path: ['shares', i, side, j], message: `'${party}' is not a party to this agreement; parties: ${a.parties.join(', ')}` });
        });
      }
    });
    if (a.effectiveFrom && a.expires && a.expires < a.effectiveFrom) ctx.addIssue({ code: 'custom', path: ['expires'], message: 'expires must not be before effectiveFrom' });
  });
export type Agreement = Omit<z.infer<typeof AgreementSchema>, 'shares'> & { shares: Share[]; file?: string };

/** Whether an agency (id and type) is the party named (by id or by `type:`). */
export function agencyIsParty(agency: { id: string; type: AgencyType }, party: string): boolean {
  return party === agency.id || party === `type:${agency.type}`;
}

/** Whether a party (agency id or type) is covered by one of the listed parties. */
function coveredBy(party: string, parties: readonly string[]): boolean {
  if (parties.includes(party)) return true;
  if (party.startsWith('type:')) return false;
  const kind = party.split(':')[0] as keyof typeof AGENCY_TYPE_BY_KIND;
  return parties.includes(`type:${AGENCY_TYPE_BY_KIND[kind]}`);
}

/** In force on a day: on or after effectiveFrom and not after expires. */
export function inForce(a: Pick<Agreement, 'effectiveFrom' | 'expires'>, today: string): boolean {
  return (a.effectiveFrom === undefined || a.effectiveFrom <= today) && (a.expires === undefined || today <= a.expires);
}
