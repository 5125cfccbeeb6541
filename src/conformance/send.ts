import { Client } from 'fhir-kit-client';
import type { HttpMethod } from 'fhir-kit-client';

/** An answer as the runner checks it. */
export interface Answer {
  status: number;
  headers: Headers;
  /** The body as text (for a FHIR answer, the JSON it parsed to, serialised again). */
  text: string;
  /** The body parsed as JSON, when it is JSON. */
  json: unknown;
}

export interface OutgoingRequest {
  method: string;
  /** Path and query, relative to the target. */
  path: string;
  headers: Record<string, string>;
  json?: unknown;
  text?: string;
}

interface ResponseError {
  response: { status: number; data: unknown };
  config?: { headers?: Headers };
}

function isResponseError(err: unknown): err is ResponseError {
  const r = (err as { response?: { status?: unknown } } | null)?.response;
  return typeof r === 'object' && r !== null && typeof r.status === 'number';
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** True for the FHIR API (`/fhir`, `/fhir/…`, `/fhir?…`): those requests go through the FHIR client. */
export function isFhirPath(path: string): boolean {
  return /^\/fhir(?:[/?]|$)/.test(path);
}

/**
 * Sends the runner's requests to the target. Calls to the FHIR API are made with
 * fhir-kit-client, as an integrator's client system would make them; the gateway's other
 * endpoints (POST /ingest, /notifications, /alerts) with fetch. Either way the answer
 * comes back whole, error statuses included: a 4xx is something to check, not a crash.
 */
export class TargetClient {
  readonly fhir: Client;

  constructor(readonly target: string) {
    this.fhir = new Client({ baseUrl: `${target}/fhir` });
  }

  async send(req: OutgoingRequest): Promise<{ answer: Answer; via: 'fhir' | 'http' }> {
    if (isFhirPath(req.path)) return { answer: await this.viaFhir(req), via: 'fhir' };
    return { answer: await this.viaHttp(req), via: 'http' };
  }

  private async viaFhir(req: OutgoingRequest): Promise<Answer> {
    const relative = req.path.slice('/fhir'.length);
    const body = req.text ?? req.json;
    const headers = { ...req.headers };
    if (req.json !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/fhir+json';
    try {
      const result = await this.fhir.request(relative, { method: req.method as HttpMethod, options: { headers }, body });
      const response = Client.httpFor(result).response;
      const json = { ...result } as unknown;
      return { status: response?.status ?? 200, headers: response?.headers ?? new Headers(), text: JSON.stringify(json), json };
    } catch (err) {
      if (!isResponseError(err)) throw err;
      const data = err.response.data;
      const text = typeof data === 'string' ? data : JSON.stringify(data);
      return { status: err.response.status, headers: err.config?.headers ?? new Headers(), text, json: typeof data === 'string' ? parseJson(data) : data };
    }
  }

  private async viaHttp(req: OutgoingRequest): Promise<Answer> {
    const headers = { ...req.headers };
    let body: string | undefined = req.text;
    if (req.json !== undefined) {
      body = JSON.stringify(req.json);
      if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json';
    }
    const res = await fetch(`${this.target}${req.path}`, { method: req.method, headers, ...(body === undefined ? {} : { body }) });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, json: parseJson(text) };
  }

  /** The target's CapabilityStatement (GET /fhir/metadata), or null when it has none. */
  async capabilities(): Promise<fhir4.CapabilityStatement | null> {
    try {
      const cs = (await this.fhir.capabilityStatement()) as unknown as fhir4.CapabilityStatement;
      return cs.resourceType === 'CapabilityStatement' ? cs : null;
    } catch {
      return null;
    }
  }
}
