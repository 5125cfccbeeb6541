import type { Request, Response } from 'express';
import { STATUS_CODES } from 'node:http';
import { Router } from 'express';
import { errorFromIssues, GatewayError } from '../../errors/gateway-error.js';
import type { GatewayIssue } from '../../errors/gateway-error.js';
import { toOperationOutcome } from '../../errors/operation-outcome.js';
import { mapCareTeam } from '../../mapping/fhir-plans.js';
import type { GatewayContext } from '../../services/context.js';
import { agencyOf } from '../../services/context.js';
import type { PlanSubmission, PlanWriteResult } from '../../services/record-plans.js';
import { recordPlans } from '../../services/record-plans.js';
import type { MessageOutcome } from '../../services/ingest.js';
import { ingestMessage } from '../../services/ingest.js';
import { readPlan } from '../../services/read-plan.js';
import type { AuditScope } from '../../services/audit-scope.js';
import { auditNow, refuse } from '../../services/audit-scope.js';
import type { Requester } from '../../policy/authorise.js';
import { authorise } from '../../policy/authorise.js';
import { toCareTeam } from '../../fhir/plans.js';
import { audited } from '../authenticate.js';
import { fhirJsonBody, resourceBody } from '../fhir-body.js';
import { sendFhir } from '../fhir-response.js';
import { locals } from '../request-context.js';
import type { AuthMiddleware } from '../authenticate.js';

type BundleEntry = fhir4.BundleEntry;

/** A plan from a Bundle, with the index of the Patient entry that carried its subject. */
interface BundleSubmission extends PlanSubmission {
  patientEntry?: number | undefined;
}

/** The entries of a transaction or batch Bundle, resolved into plan submissions (CareTeam + its Patient). */
/** Entry index → plan submission (a Map keeps entry order), plus every problem found. */
function planSubmissions(bundle: fhir4.Bundle): { byEntry: Map<number, BundleSubmission>; issues: GatewayIssue[] } {
  const issues: GatewayIssue[] = [];
  const entries: BundleEntry[] = bundle.entry ?? [];
  const patients = new Map<string, { resource: fhir4.Patient; path: string; index: number }>();
  const used = new Set<number>();
  entries.forEach((e, i) => {
    const r = e.resource;
    const path = `Bundle.entry[${i}].resource`;
    if (!r) issues.push({ severity: 'error', code: 'required', expression: [path], diagnostics: 'each entry needs a resource' });
    else if (r.resourceType === 'Patient') {
      if (e.fullUrl) patients.set(e.fullUrl, { resource: r, path, index: i });
      if (r.id) patients.set(`Patient/${r.id}`, { resource: r, path, index: i });
    } else if (r.resourceType !== 'CareTeam') {
      issues.push({ severity: 'error', code: 'not-supported', expression: [`${path}.resourceType`], diagnostics: `expected Patient or CareTeam, received ${r.resourceType}` });
    }
  });
  const byEntry = new Map<number, BundleSubmission>();
  entries.forEach((e, i) => {
    if (e.resource?.resourceType !== 'CareTeam') return;
    const path = `Bundle.entry[${i}].resource`;
    const ref = e.resource.subject?.reference;
    const patient = ref ? patients.get(ref) : undefined;
    if (patient) used.add(patient.index);
    const mapped = mapCareTeam(e.resource, path, patient);
    if (!mapped.ok) issues.push(...mapped.issues);
    else {
      byEntry.set(i, { draft: mapped.value, path, patientEntry: patient?.index });
    }
  });
  for (const p of new Set(patients.values())) {
    if (!used.has(p.index)) issues.push({ severity: 'error', code: 'business-rule', expression: [p.path], diagnostics: 'this Patient is not the subject of any CareTeam in the Bundle; POST /fhir records protection plans with their subjects' });
  }
  if (entries.length === 0) issues.push({ severity: 'error', code: 'required', expression: ['Bundle.entry'], diagnostics: 'the Bundle has no entries' });
  return { byEntry, issues };
}

/**
 * A transaction-response for a Bundle that went through the ingest pipeline: each entry
 * gets the status of the record it became (a Patient its Person, an Encounter its
 * Attendance…), or 200 with an OperationOutcome saying why it stored nothing.
 */
function ingestResponseBundle(bundle: fhir4.Bundle, outcome: MessageOutcome): fhir4.Bundle {
  const seen = new Map<string, number>();
  const entries = (bundle.entry ?? []).map((e) => {
    const type = e.resource?.resourceType ?? 'Resource';
    const k = seen.get(type) ?? 0;
    seen.set(type, k + 1);
    const prefix = `${type}[${k}]`;
    const own = outcome.records.filter((r) => r.source === prefix || (r.type === 'Person' && r.source.startsWith(`${prefix}.`)));
    const record = own.find((r) => r.type !== 'Person') ?? own[0];
    const notes = outcome.warnings.filter((w) => w.expression?.some((x) => x.startsWith(prefix)));
    const response: fhir4.BundleEntryResponse = record
      ? { status: httpStatus(record.outcome === 'created' ? 201 : 200), location: `${record.type === 'Person' ? 'people' : 'records'}/${record.id}` }
      : { status: httpStatus(200) };
    if (notes.length > 0) response.outcome = toOperationOutcome(errorFromIssues('GW_ERR_VALIDATION_FAILED', notes));
    return { response };
  });
  return { resourceType: 'Bundle', type: bundle.type === 'batch' ? 'batch-response' : 'transaction-response', entry: entries };
}

function location(r: PlanWriteResult): string {
  return `CareTeam/${r.plan.id}`;
}

/** A Bundle entry's response status: the code and its reason phrase, e.g. `201 Created`. */
function httpStatus(code: number): string {
  return `${code} ${STATUS_CODES[code] ?? ''}`.trim();
}

/**
 * Refuses (audited) a requester whose role may not record plans, before the submission is
 * looked at: a police or health user is told 403, not what is wrong with the CareTeam they
 * have no business sending. (recordPlans checks again, for every other caller.)
 */
async function mayRecordPlans(ctx: GatewayContext, scope: AuditScope, requester: Requester): Promise<void> {
  const decision = authorise(requester, 'plan:write');
  if (!decision.permit) await refuse(ctx, scope, decision);
}

/** POST /fhir/CareTeam and POST /fhir (transaction or batch Bundle): a local authority records its plans; GET /fhir/CareTeam/{id} reads one back. */
export function plansRouter(ctx: GatewayContext, authenticate: AuthMiddleware, maxBodyBytes: number): Router {
  const router = Router();
  const body = fhirJsonBody(maxBodyBytes);

  router.get('/fhir/CareTeam/:id', audited('read', 'CareTeam'), authenticate, async (req: Request<{ id: string }>, res: Response) => {
    const { requester, auditScope } = locals(res);
    const { plan, nhsNumber } = await readPlan(ctx, auditScope!, requester!, req.params.id);
    sendFhir(res, 200, toCareTeam(plan, nhsNumber, agencyOf(ctx, plan.owner), ctx.now().toISOString().slice(0, 10)));
  });

  router.post('/fhir/CareTeam', audited('create', 'CareTeam'), authenticate, ...body, async (req: Request, res: Response) => {
    const { requester, auditScope } = locals(res);
    await mayRecordPlans(ctx, auditScope!, requester!);
    const careTeam = resourceBody<fhir4.CareTeam>(req, 'CareTeam');
    const mapped = mapCareTeam(careTeam, 'CareTeam');
    if (!mapped.ok) throw errorFromIssues('GW_ERR_INVALID_RESOURCE', mapped.issues);
    const [result] = await recordPlans(ctx, auditScope!, requester!, [{ draft: mapped.value, path: 'CareTeam' }], 'fhir-r4-json');
    if (!result) throw new GatewayError('GW_ERR_INTERNAL', 'no plan was recorded');
    res.setHeader('Location', `${ctx.publicBaseUrl}/fhir/${location(result)}`);
    sendFhir(res, result.outcome === 'created' ? 201 : 200, toCareTeam(result.plan, result.nhsNumber, agencyOf(ctx, result.plan.owner), ctx.now().toISOString().slice(0, 10)));
  });

  router.post('/fhir', audited('create', 'Bundle'), authenticate, ...body, async (req: Request, res: Response) => {
    const { requester, auditScope } = locals(res);
    const bundle = resourceBody<fhir4.Bundle>(req, 'Bundle');
    if (bundle.type !== 'transaction' && bundle.type !== 'batch') {
      throw new GatewayError('GW_ERR_INVALID_RESOURCE', `POST /fhir takes a transaction or batch Bundle, received type ${JSON.stringify(bundle.type ?? null)}`, { expression: 'Bundle.type' });
    }
    // A Bundle recording CP-IS plans (any CareTeam) keeps the CP-IS rules of the plan path;
    // one without plans but with other resources (Encounter, Consent…) goes through ingest.
    const types = (bundle.entry ?? []).map((e) => e.resource?.resourceType);
    if (!types.includes('CareTeam') && types.some((t) => t !== undefined && t !== 'Patient')) {
      auditScope!.resourceType = 'Ingest:fhir-r4-json';
      const outcome = await ingestMessage(ctx, auditScope!, requester!, { format: 'fhir-r4-json', tree: bundle, messageId: bundle.id, warnings: [] }, { store: true });
      sendFhir(res, 200, ingestResponseBundle(bundle, outcome));
      return;
    }
    await mayRecordPlans(ctx, auditScope!, requester!);
    const { byEntry, issues } = planSubmissions(bundle);
    const entries = bundle.entry ?? [];
    const responses = new Map<number, fhir4.BundleEntryResponse>();
    const answered = (entryIndex: number, r: PlanWriteResult) => {
      responses.set(entryIndex, { status: httpStatus(r.outcome === 'created' ? 201 : 200), location: location(r) });
      const patientEntry = byEntry.get(entryIndex)?.patientEntry;
      if (patientEntry !== undefined && r.personCreated) responses.set(patientEntry, { status: httpStatus(201) });
    };

    if (bundle.type === 'transaction') {
      if (issues.length > 0) throw errorFromIssues('GW_ERR_INVALID_RESOURCE', issues);
      const results = await recordPlans(ctx, auditScope!, requester!, [...byEntry.values()], 'fhir-r4-json');
      [...byEntry.keys()].forEach((entryIndex, k) => answered(entryIndex, results[k]!));
    } else {
      // Batch: each CareTeam stands alone; an entry that fails carries its own OperationOutcome.
      if (byEntry.size === 0) throw errorFromIssues('GW_ERR_INVALID_RESOURCE', issues.length > 0 ? issues : [{ severity: 'error', code: 'required', expression: ['Bundle.entry'], diagnostics: 'no CareTeam entries' }]);
      entries.forEach((_, i) => {
        const entryIssues = issues.filter((iss) => iss.expression?.some((x) => x.startsWith(`Bundle.entry[${i}]`)));
        if (entryIssues.length > 0) responses.set(i, { status: httpStatus(422), outcome: toOperationOutcome(errorFromIssues('GW_ERR_INVALID_RESOURCE', entryIssues)) });
      });
      for (const [entryIndex, submission] of byEntry) {
        const scope = { ...auditScope!, audited: false };
        try {
          const [r] = await recordPlans(ctx, scope, requester!, [submission], 'fhir-r4-json');
          answered(entryIndex, r!);
        } catch (err) {
          if (!(err instanceof GatewayError) || err.status >= 500) throw err;
          if (!scope.audited) await auditNow(ctx, scope, { outcome: err.status === 403 ? 'deny' : 'error', status: err.status, reason: `${err.code}: ${err.message}` });
          responses.set(entryIndex, { status: httpStatus(err.status), outcome: toOperationOutcome(err) });
        }
      }
      auditScope!.audited = true; // each entry was audited on its own
    }
    sendFhir(res, 200, {
      resourceType: 'Bundle',
      type: bundle.type === 'transaction' ? 'transaction-response' : 'batch-response',
      entry: entries.map((_, i) => ({ response: responses.get(i) ?? { status: httpStatus(200) } })),
    });
  });
  return router;
}
