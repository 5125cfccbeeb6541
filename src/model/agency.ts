import { z } from 'zod';

/** Agency kinds, as the prefix of an agency id: `la:383`, `ods:RR8`, `police:E23000010`, `school:100000`. */
export const AGENCY_KINDS = ['la', 'ods', 'police', 'school', 'org'] as const;
export type AgencyKind = (typeof AGENCY_KINDS)[number];

export const AGENCY_TYPE_BY_KIND = {
  la: 'local-authority',
  ods: 'health',
  police: 'police',
  school: 'school',
  org: 'other',
} as const satisfies Record<AgencyKind, string>;
export type AgencyType = (typeof AGENCY_TYPE_BY_KIND)[AgencyKind];

const AGENCY_ID_PATTERNS: Record<AgencyKind, RegExp> = {
  la: /^la:\d{3}$/, // DfE LA number
  ods: /^ods:[A-Z0-9]{3,10}$/, // ODS organisation code
  police: /^police:E23\d{6}$|^police:W15\d{6}$/, // ONS police force area code
  school: /^school:\d{6}$/, // school URN
  org: /^org:[A-Za-z0-9-]{2,40}$/,
};

/** Checks an agency id against its kind's code pattern; returns a message naming what was expected, or null. */
export function agencyIdProblem(id: string): string | null {
  const kind = id.split(':')[0] as AgencyKind;
  const pattern = AGENCY_ID_PATTERNS[kind];
  if (!pattern) return `expected an agency id of the form kind:code with kind one of ${AGENCY_KINDS.join(', ')}`;
  return pattern.test(id) ? null : `expected ${kind}: followed by a code matching ${pattern.source}`;
}

export const AgencyIdSchema = z.string().superRefine((v, ctx) => {
  const problem = agencyIdProblem(v);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

const PhoneSchema = z.string().regex(/^\+?[0-9 ()-]{6,20}$/, 'expected a telephone number');

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Where the gateway POSTs a small notice when something is added to the agency's inbox.
 * HTTPS only, except plain HTTP to this machine (tests and local demos). The signing
 * secret is read from `secretFile` (relative to the config directory) at start-up and
 * never stored with the agency.
 */
export const WebhookConfigSchema = z
  .object({
    url: z.url({ protocol: /^https?$/, error: 'expected an https:// URL' }).superRefine((v, ctx) => {
      if (!URL.canParse(v)) return; // already reported by z.url
      const u = new URL(v);
      if (u.protocol === 'http:' && !LOOPBACK_HOSTS.has(u.hostname)) {
        ctx.addIssue({ code: 'custom', message: 'expected an https:// URL (plain http:// only to 127.0.0.1 or localhost)' });
      }
      if (u.username || u.password) ctx.addIssue({ code: 'custom', message: 'expected no credentials in the URL; the notice is signed with the secret instead' });
    }),
    /** File holding the signing secret (at least 32 bytes, or whsec_<base64>), relative to the config directory. */
    secretFile: z.string().min(1),
  })
  .strict();
export type WebhookConfig = z.infer<typeof WebhookConfigSchema>;

/** A participating agency: a data controller that sends or receives information. */
export const AgencySchema = z.object({
  id: AgencyIdSchema,
  name: z.string().min(1),
  contacts: z
    .object({
      officeHours: PhoneSchema.optional(),
      outOfHours: PhoneSchema.optional(),
      email: z.email().optional(),
    })
    .strict()
    .default({}),
  webhook: WebhookConfigSchema.optional(),
}).strict();
export type Agency = z.infer<typeof AgencySchema> & { type: AgencyType; kind: AgencyKind; code: string };

/** Adds the derived kind, code and type to a validated agency. */
export function describeAgency(a: z.infer<typeof AgencySchema>): Agency {
  const [kind, code] = a.id.split(':') as [AgencyKind, string];
  return { ...a, kind, code, type: AGENCY_TYPE_BY_KIND[kind] };
}
