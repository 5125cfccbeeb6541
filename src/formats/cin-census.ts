import { isIsoCalendarDate } from '../model/dates.js';
import type { GatewayIssue } from '../errors/gateway-error.js';
import type { ParsedMessage } from './types.js';
import { malformed } from './types.js';
import type { XmlNode } from './xml.js';
import { localName, readXml } from './xml.js';

/*
 * The DfE Children in Need (CIN) census return, read from XML into a plain JSON tree that
 * keeps the XML element names. This is the schema layer only: the element tree, required
 * elements, value types and code lists of the CIN census XSD, with the layout changes of
 * later collection years. Business rules (dates in order, census period…) live in
 * src/validation/cin, one rule per file, and run on trees this reader accepted.
 */

// ---------------------------------------------------------------------------------------
// The tree
// ---------------------------------------------------------------------------------------

/** A CIN census return. Leaves are the XML text as sent (trimmed); booleans stay strings. */
export interface CinCensusTree {
  Message: CinMessage;
}

export interface CinMessage {
  Header?: CinHeader;
  Children: CinChildren;
}

export interface CinHeader {
  CollectionDetails?: CinCollectionDetails;
  /** Repeatable in the schema, so always an array when present. */
  Source?: CinSource[];
}

export interface CinCollectionDetails {
  /** Always `CIN`. */
  Collection?: string;
  /** The year the census ends: `2025` is the 2024-25 collection. */
  Year?: string;
  /** The census reference date, 31 March of `Year` (rule 100). */
  ReferenceDate?: string;
}

export interface CinSource {
  /** Always `L`. */
  SourceLevel?: string;
  /** Three-digit LA code. */
  LEA: string;
  SoftwareCode?: string;
  Release?: string;
  SerialNo?: string;
  DateTime?: string;
}

export interface CinChildren {
  Child: CinChild[];
}

export interface CinChild {
  ChildIdentifiers: CinChildIdentifiers;
  ChildCharacteristics: CinChildCharacteristics;
  CINdetails: CinDetails[];
}

export interface CinChildIdentifiers {
  LAchildID: string;
  UPN?: string;
  FormerUPN?: string;
  /** UN1–UN7. */
  UPNunknown?: string;
  PersonBirthDate?: string;
  ExpectedPersonBirthDate?: string;
  /** 0/1/2/9, up to the 2023-24 collection (Year ≤ 2024). */
  GenderCurrent?: string;
  /** M/F/U, from the 2024-25 collection (Year ≥ 2025). */
  Sex?: string;
  PersonDeathDate?: string;
}

export interface CinChildCharacteristics {
  Ethnicity: string;
  Disabilities?: CinDisabilities;
}

export interface CinDisabilities {
  Disability: string[];
}

export interface CinDetails {
  CINreferralDate: string;
  ReferralSource: string;
  PrimaryNeedCode?: string;
  CINclosureDate?: string;
  ReasonForClosure?: string;
  DateOfInitialCPC?: string;
  Assessments?: CinAssessment[];
  CINPlanDates?: CinPlanDates[];
  Section47?: CinSection47[];
  /** true/false/TRUE/FALSE/1/0 as sent; read it with {@link isCinTrue} / {@link isCinFalse}. */
  ReferralNFA: string;
  ChildProtectionPlans?: CinChildProtectionPlan[];
  /** From the 2025-26 collection (Year ≥ 2026). */
  PreProceedingsandFGDM?: CinPreProceedings[];
}

export interface CinAssessment {
  AssessmentActualStartDate: string;
  AssessmentInternalReviewDate?: string;
  AssessmentAuthorisationDate?: string;
  FactorsIdentifiedAtAssessment?: CinFactorsIdentifiedAtAssessment;
}

export interface CinFactorsIdentifiedAtAssessment {
  AssessmentFactors: string[];
}

export interface CinPlanDates {
  CINPlanStartDate: string;
  CINPlanEndDate?: string;
}

export interface CinSection47 {
  S47ActualStartDate: string;
  InitialCPCtarget?: string;
  DateOfInitialCPC?: string;
  ICPCnotRequired: string;
}

export interface CinChildProtectionPlan {
  CPPstartDate: string;
  CPPendDate?: string;
  InitialCategoryOfAbuse: string;
  LatestCategoryOfAbuse: string;
  NumberOfPreviousCPP: string;
  Reviews?: CinReviews;
}

export interface CinReviews {
  CPPreviewDate: string[];
}

/** The 2025-26 pre-proceedings and family group decision-making module. */
export interface CinPreProceedings {
  PPStartDate?: string;
  LBPSentDate?: string;
  FGDMMeetingOffer?: string;
  FGDMMeetingFac?: string;
  InitialPPMeetingDate?: string;
  ReviewMeetingsCount?: string;
  StepDecisionDate?: string;
  PPOutcome?: string;
  CourtAppDate?: string;
  LetterInitCPDate?: string;
}

// ---------------------------------------------------------------------------------------
// Code lists (CIN census code set, as enumerated in the XSD)
// ---------------------------------------------------------------------------------------

export const CIN_GENDER_CODES = ['0', '1', '2', '9'] as const;
export const CIN_SEX_CODES = ['M', 'F', 'U'] as const;
export const CIN_ETHNICITY_CODES = [
  'WBRI', 'WIRI', 'WIRT', 'WOTH', 'WROM', 'MWBC', 'MWBA', 'MWAS', 'MOTH', 'AIND',
  'APKN', 'ABAN', 'AOTH', 'BCRB', 'BAFR', 'BOTH', 'CHNE', 'OOTH', 'REFU', 'NOBT',
] as const;
export const CIN_DISABILITY_CODES = ['NONE', 'MOB', 'HAND', 'PC', 'INC', 'COMM', 'LD', 'HEAR', 'VIS', 'BEH', 'CON', 'AUT', 'DDA'] as const;
export const CIN_REFERRAL_SOURCE_CODES = [
  '1A', '1B', '1C', '1D', '2A', '2B', '3A', '3B', '3C', '3D', '3E', '3F', '4', '5A', '5B', '5C', '5D', '6', '7', '8', '9', '10',
] as const;
export const CIN_PRIMARY_NEED_CODES = ['N0', 'N1', 'N2', 'N3', 'N4', 'N5', 'N6', 'N7', 'N8', 'N9'] as const;
export const CIN_REASON_FOR_CLOSURE_CODES = ['RC1', 'RC2', 'RC3', 'RC4', 'RC5', 'RC6', 'RC7', 'RC8', 'RC9'] as const;
export const CIN_CATEGORY_OF_ABUSE_CODES = ['NEG', 'PHY', 'SAB', 'EMO', 'MUL'] as const;
export const CIN_UPN_UNKNOWN_CODES = ['UN1', 'UN2', 'UN3', 'UN4', 'UN5', 'UN6', 'UN7'] as const;
export const CIN_ASSESSMENT_FACTOR_CODES = [
  '1A', '1B', '1C', '2A', '2B', '2C', '3A', '3B', '3C', '4A', '4B', '4C', '5A', '5B', '5C', '6A', '6B', '6C',
  '7A', '8B', '8C', '8D', '8E', '8F', '9A', '10A', '11A', '12A', '13A', '14A', '15A', '16A', '17A',
  // 18A and 19A are withdrawn from 2024-25 but still accepted, with queries 8945Q / 8950Q.
  '18A', '18B', '18C', '19A', '19B', '19C', '20', '21', '22A', '23A', '24A',
] as const;
const BOOLEAN_VALUES = ['true', 'false', 'TRUE', 'FALSE', '1', '0'] as const;

// ---------------------------------------------------------------------------------------
// The schema, as data
// ---------------------------------------------------------------------------------------

type LeafType =
  | { kind: 'date' }
  | { kind: 'dateTime' }
  | { kind: 'gYear' }
  | { kind: 'boolean' }
  | { kind: 'integer'; min: number }
  | { kind: 'string'; nonEmpty: boolean }
  | { kind: 'pattern'; re: RegExp; expected: string }
  | { kind: 'code'; list: string; codes: readonly string[] };

/** Elements whose presence depends on the collection year. */
type YearGate = 'GenderCurrent' | 'Sex' | 'PreProceedings';

interface ElementSpec {
  name: string;
  required: boolean;
  /** maxOccurs > 1: always an array in the tree. */
  many: boolean;
  type: LeafType | ElementSpec[];
  gate?: YearGate;
}

const DATE: LeafType = { kind: 'date' };
const BOOL: LeafType = { kind: 'boolean' };
const TEXT: LeafType = { kind: 'string', nonEmpty: false };
const code = (list: string, codes: readonly string[]): LeafType => ({ kind: 'code', list, codes });
const UPN: LeafType = { kind: 'pattern', re: /^[A-Za-z]\d{12}$|^[A-Za-z]\d{11}[A-Za-z]$/, expected: 'a letter then 12 digits, or a letter, 11 digits and a letter' };

const one = (name: string, type: ElementSpec['type'], gate?: YearGate): ElementSpec => ({ name, required: true, many: false, type, ...(gate ? { gate } : {}) });
const opt = (name: string, type: ElementSpec['type'], gate?: YearGate): ElementSpec => ({ name, required: false, many: false, type, ...(gate ? { gate } : {}) });
const some = (name: string, type: ElementSpec['type']): ElementSpec => ({ name, required: true, many: true, type });
const any = (name: string, type: ElementSpec['type'], gate?: YearGate): ElementSpec => ({ name, required: false, many: true, type, ...(gate ? { gate } : {}) });

const CATEGORY = code('category of abuse', CIN_CATEGORY_OF_ABUSE_CODES);

const MESSAGE: ElementSpec = one('Message', [
  opt('Header', [
    opt('CollectionDetails', [
      opt('Collection', code('collection', ['CIN'])),
      opt('Year', { kind: 'gYear' }),
      opt('ReferenceDate', DATE),
    ]),
    any('Source', [
      opt('SourceLevel', code('source level', ['L'])),
      one('LEA', { kind: 'pattern', re: /^\d{3}$/, expected: 'a three-digit LA code' }),
      opt('SoftwareCode', TEXT),
      opt('Release', TEXT),
      opt('SerialNo', { kind: 'pattern', re: /^\d{3,}$/, expected: 'at least three digits' }),
      opt('DateTime', { kind: 'dateTime' }),
    ]),
  ]),
  one('Children', [
    some('Child', [
      one('ChildIdentifiers', [
        one('LAchildID', { kind: 'string', nonEmpty: true }),
        opt('UPN', UPN),
        opt('FormerUPN', UPN),
        opt('UPNunknown', code('UPN unknown reason', CIN_UPN_UNKNOWN_CODES)),
        opt('PersonBirthDate', DATE),
        opt('ExpectedPersonBirthDate', DATE),
        opt('GenderCurrent', code('gender', CIN_GENDER_CODES), 'GenderCurrent'),
        opt('Sex', code('sex', CIN_SEX_CODES), 'Sex'),
        opt('PersonDeathDate', DATE),
      ]),
      one('ChildCharacteristics', [
        one('Ethnicity', code('ethnicity', CIN_ETHNICITY_CODES)),
        opt('Disabilities', [some('Disability', code('disability', CIN_DISABILITY_CODES))]),
      ]),
      some('CINdetails', [
        one('CINreferralDate', DATE),
        one('ReferralSource', code('referral source', CIN_REFERRAL_SOURCE_CODES)),
        opt('PrimaryNeedCode', code('primary need', CIN_PRIMARY_NEED_CODES)),
        opt('CINclosureDate', DATE),
        opt('ReasonForClosure', code('reason for closure', CIN_REASON_FOR_CLOSURE_CODES)),
        opt('DateOfInitialCPC', DATE),
        any('Assessments', [
          one('AssessmentActualStartDate', DATE),
          opt('AssessmentInternalReviewDate', DATE),
          opt('AssessmentAuthorisationDate', DATE),
          opt('FactorsIdentifiedAtAssessment', [some('AssessmentFactors', code('assessment factor', CIN_ASSESSMENT_FACTOR_CODES))]),
        ]),
        any('CINPlanDates', [one('CINPlanStartDate', DATE), opt('CINPlanEndDate', DATE)]),
        any('Section47', [
          one('S47ActualStartDate', DATE),
          opt('InitialCPCtarget', DATE),
          opt('DateOfInitialCPC', DATE),
          one('ICPCnotRequired', BOOL),
        ]),
        one('ReferralNFA', BOOL),
        any('ChildProtectionPlans', [
          one('CPPstartDate', DATE),
          opt('CPPendDate', DATE),
          one('InitialCategoryOfAbuse', CATEGORY),
          one('LatestCategoryOfAbuse', CATEGORY),
          // The community XSD says positiveInteger; 0 previous plans is the ordinary first-plan
          // answer, so 0 is accepted here (see the reader's notes in the commit).
          one('NumberOfPreviousCPP', { kind: 'integer', min: 0 }),
          opt('Reviews', [some('CPPreviewDate', DATE)]),
        ]),
        any(
          'PreProceedingsandFGDM',
          [
            opt('PPStartDate', DATE),
            opt('LBPSentDate', DATE),
            opt('FGDMMeetingOffer', BOOL),
            opt('FGDMMeetingFac', BOOL),
            opt('InitialPPMeetingDate', DATE),
            opt('ReviewMeetingsCount', { kind: 'integer', min: 0 }),
            opt('StepDecisionDate', DATE),
            opt('PPOutcome', { kind: 'string', nonEmpty: true }),
            opt('CourtAppDate', DATE),
            opt('LetterInitCPDate', DATE),
          ],
          'PreProceedings',
        ),
      ]),
    ]),
  ]),
]);

// ---------------------------------------------------------------------------------------
// Value checks
// ---------------------------------------------------------------------------------------

const DATE_TIME_RE = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-](\d{2}):(\d{2}))?$/;

/** Whether `value` is a real calendar date written YYYY-MM-DD (2023-02-30 is not). */
export function isCinDate(value: string): boolean {
  return isIsoCalendarDate(value);
}

function isDateTime(value: string): boolean {
  const m = DATE_TIME_RE.exec(value);
  if (!m || !isCinDate(m[1]!)) return false;
  const [h, mi, s] = [Number(m[2]), Number(m[3]), Number(m[4])];
  if (h > 23 || mi > 59 || s > 59) return false;
  if (m[7] !== undefined && (Number(m[7]) > 14 || Number(m[8]) > 59)) return false;
  return true;
}

function quote(value: string): string {
  const v = value.length > 40 ? `${value.slice(0, 40)}…` : value;
  return JSON.stringify(v);
}

/** Checks one leaf value; returns the issue code and diagnostics, or undefined when valid. */
function checkLeaf(name: string, type: LeafType, value: string): { code: string; diagnostics: string } | undefined {
  if (value === '' && !(type.kind === 'string' && !type.nonEmpty)) {
    return { code: 'required', diagnostics: `${name} is empty; expected ${describe(type)}` };
  }
  switch (type.kind) {
    case 'date':
      return isCinDate(value) ? undefined : { code: 'value', diagnostics: `${name} must be a real date written YYYY-MM-DD; received ${quote(value)}` };
    case 'dateTime':
      return isDateTime(value) ? undefined : { code: 'value', diagnostics: `${name} must be a date and time (YYYY-MM-DDThh:mm:ss, optional zone); received ${quote(value)}` };
    case 'gYear':
      return /^\d{4}$/.test(value) ? undefined : { code: 'value', diagnostics: `${name} must be a four-digit year; received ${quote(value)}` };
    case 'boolean':
      return (BOOLEAN_VALUES as readonly string[]).includes(value)
        ? undefined
        : { code: 'value', diagnostics: `${name} must be one of true, false, TRUE, FALSE, 1, 0; received ${quote(value)}` };
    case 'integer':
      return /^\+?\d+$/.test(value) && Number(value) >= type.min
        ? undefined
        : { code: 'value', diagnostics: `${name} must be a whole number of at least ${type.min}; received ${quote(value)}` };
    case 'string':
      return undefined;
    case 'pattern':
      return type.re.test(value) ? undefined : { code: 'value', diagnostics: `${name} must be ${type.expected}; received ${quote(value)}` };
    case 'code':
      return type.codes.includes(value)
        ? undefined
        : { code: 'code-invalid', diagnostics: `${name} ${quote(value)} is not a valid ${type.list} code; expected one of ${type.codes.join(', ')}` };
  }
}

function describe(type: LeafType): string {
  switch (type.kind) {
    case 'date':
      return 'a date YYYY-MM-DD';
    case 'dateTime':
      return 'a date and time';
    case 'gYear':
      return 'a four-digit year';
    case 'boolean':
      return 'true or false';
    case 'integer':
      return `a whole number of at least ${type.min}`;
    case 'string':
      return 'a value';
    case 'pattern':
      return type.expected;
    case 'code':
      return `one of the ${type.list} codes (${type.codes.join(', ')})`;
  }
}

// ---------------------------------------------------------------------------------------
// The walk
// ---------------------------------------------------------------------------------------

/** Which of the year-dependent elements a message may hold. */
interface Layout {
  year: number | undefined;
  gender: 'GenderCurrent' | 'Sex' | 'either';
  preProceedings: boolean;
}

function layoutFor(year: number | undefined): Layout {
  return {
    year,
    gender: year === undefined ? 'either' : year >= 2025 ? 'Sex' : 'GenderCurrent',
    preProceedings: year !== undefined && year >= 2026,
  };
}

/** `2025` → `2024-25`. */
export function cinCollectionLabel(year: number): string {
  return `${year - 1}-${String(year % 100).padStart(2, '0')}`;
}

function yearNote(layout: Layout): string {
  return layout.year === undefined ? 'the message has no Header Year' : `Header Year ${layout.year} is the ${cinCollectionLabel(layout.year)} collection`;
}

const IGNORED_ATTRIBUTE = /^(xmlns(:|$)|xsi:)/;

/**
 * Published DfE rules that a missing or off-list code breaks. The schema check catches
 * these first, so its issue carries the rule code an LA's own validator would show.
 */
const SCHEMA_RULES: Readonly<Record<string, string>> = {
  LAchildID: '8500',
  Sex: '4180',
  GenderCurrent: '4180',
  Ethnicity: '4220',
  Disability: '8540',
  ReferralSource: '8866',
  ReasonForClosure: '8640',
  PrimaryNeedCode: '8650',
  InitialCategoryOfAbuse: '8905',
  LatestCategoryOfAbuse: '8910',
};

/** The element name at the end of a path such as `…ChildIdentifiers.Sex` or `…Disability[1]`. */
function leafName(path: string): string {
  return (path.split('.').pop() ?? '').replace(/\[\d+\]$/, '');
}

class Walker {
  readonly issues: GatewayIssue[] = [];
  constructor(private readonly layout: Layout) {}

  issue(code: string, path: string, diagnostics: string): void {
    const rule = code === 'code-invalid' || code === 'required' ? SCHEMA_RULES[leafName(path)] : undefined;
    this.issues.push({ severity: 'error', code, expression: [path], diagnostics, ...(rule ? { rule: `CIN-${rule}` } : {}) });
  }

  /** Reads one complex element into an object, collecting every problem. */
  complex(node: XmlNode, specs: ElementSpec[], path: string): Record<string, unknown> {
    const name = localName(node.name);
    for (const attr of Object.keys(node.attrs)) {
      if (!IGNORED_ATTRIBUTE.test(attr)) this.issue('structure', `${path}@${attr}`, `${name} has an unexpected attribute ${attr}; CIN census elements carry no attributes`);
    }
    if (node.text !== '') {
      this.issue('structure', path, `${name} holds stray text ${quote(node.text)}; only child elements (${specs.map((s) => s.name).join(', ')}) are allowed here`);
    }
    const byName = new Map<string, XmlNode[]>();
    for (const c of node.children) {
      const cname = localName(c.name);
      const spec = specs.find((s) => s.name === cname);
      if (!spec) {
        this.issue('structure', `${path}.${cname}`, `unknown element ${cname} in ${name}; expected ${specs.map((s) => s.name).join(', ')}`);
        continue;
      }
      const list = byName.get(cname) ?? [];
      list.push(c);
      byName.set(cname, list);
    }
    const out: Record<string, unknown> = {};
    for (const spec of specs) {
      const found = byName.get(spec.name) ?? [];
      if (!this.gateAllows(spec, found, path, name)) continue;
      if (found.length === 0) {
        if (this.isRequired(spec, byName)) {
          this.issue('required', `${path}.${spec.name}`, this.missingMessage(spec, name));
        }
        continue;
      }
      if (spec.many) {
        out[spec.name] = found.map((n, i) => this.element(n, spec, `${path}.${spec.name}[${i}]`));
      } else {
        if (found.length > 1) {
          this.issue('structure', `${path}.${spec.name}`, `${spec.name} appears ${found.length} times in ${name}; at most once is allowed`);
        }
        out[spec.name] = this.element(found[0]!, spec, `${path}.${spec.name}`);
      }
    }
    return out;
  }

  private element(node: XmlNode, spec: ElementSpec, path: string): unknown {
    if (Array.isArray(spec.type)) return this.complex(node, spec.type, path);
    if (node.children.length > 0) {
      const inner = [...new Set(node.children.map((c) => localName(c.name)))].join(', ');
      this.issue('structure', path, `${spec.name} is a simple value and may not contain elements; found ${inner}`);
    }
    for (const attr of Object.keys(node.attrs)) {
      if (!IGNORED_ATTRIBUTE.test(attr)) this.issue('structure', `${path}@${attr}`, `${spec.name} has an unexpected attribute ${attr}; CIN census elements carry no attributes`);
    }
    const problem = checkLeaf(spec.name, spec.type, node.text);
    if (problem) this.issue(problem.code, path, problem.diagnostics);
    return node.text;
  }

  /** Refuses a year-gated element the collection year does not allow; false means skip it. */
  private gateAllows(spec: ElementSpec, found: XmlNode[], parentPath: string, parentName: string): boolean {
    if (!spec.gate || found.length === 0) return true;
    const { layout } = this;
    const at = (i: number) => (spec.many ? `${parentPath}.${spec.name}[${i}]` : `${parentPath}.${spec.name}`);
    if (spec.gate === 'PreProceedings' && !layout.preProceedings) {
      found.forEach((_, i) =>
        this.issue('structure', at(i), `${spec.name} is only part of the 2025-26 collection (Header Year 2026) or later; ${yearNote(layout)}`),
      );
      return true; // still check its content, so every problem is named at once
    }
    if ((spec.gate === 'Sex' && layout.gender === 'GenderCurrent') || (spec.gate === 'GenderCurrent' && layout.gender === 'Sex')) {
      const want = layout.gender === 'Sex' ? 'Sex (M, F or U)' : 'GenderCurrent (0, 1, 2 or 9)';
      this.issue('structure', at(0), `${spec.name} is not part of this layout (${yearNote(layout)}); send ${want} in ${parentName} instead; received ${spec.name}=${quote(found[0]!.text)}`);
      return true;
    }
    return true;
  }

  private isRequired(spec: ElementSpec, present: Map<string, XmlNode[]>): boolean {
    if (spec.gate === 'GenderCurrent' || spec.gate === 'Sex') {
      const { gender } = this.layout;
      if (gender === 'either') return spec.gate === 'GenderCurrent' && !present.has('Sex');
      // When the other one was sent it is refused above, naming what to send instead.
      return gender === spec.gate && !present.has(spec.gate === 'Sex' ? 'GenderCurrent' : 'Sex');
    }
    return spec.required;
  }

  private missingMessage(spec: ElementSpec, parentName: string): string {
    if (spec.gate === 'GenderCurrent' || spec.gate === 'Sex') {
      if (this.layout.gender === 'either') return `${parentName} must hold GenderCurrent (0, 1, 2 or 9) or Sex (M, F or U); neither was sent`;
      return `${parentName} must hold ${spec.name} (${yearNote(this.layout)}); it is missing`;
    }
    return `${parentName} must hold ${spec.many ? 'at least one ' : ''}${spec.name}; it is missing`;
  }

  /** Checks that GenderCurrent and Sex are not both sent when no year decides between them. */
  checkBothGenders(tree: Record<string, unknown>, path: string): void {
    if (this.layout.gender === 'either' && tree.GenderCurrent !== undefined && tree.Sex !== undefined) {
      this.issue('structure', `${path}.Sex`, 'ChildIdentifiers holds both GenderCurrent and Sex; send only one (GenderCurrent up to 2023-24, Sex from 2024-25)');
    }
  }
}

function findYear(root: XmlNode): number | undefined {
  const child = (n: XmlNode | undefined, name: string) => n?.children.find((c) => localName(c.name) === name);
  const year = child(child(child(root, 'Header'), 'CollectionDetails'), 'Year')?.text;
  return year !== undefined && /^\d{4}$/.test(year) ? Number(year) : undefined;
}

/**
 * Reads a DfE CIN census XML return. Checks it against the census schema: root `Message`,
 * no unknown elements or stray text, required elements present, real dates, booleans and
 * the enumerated code lists, and the layout of the collection year in Header Year (`Sex`
 * from 2024-25, `GenderCurrent` before; `PreProceedingsandFGDM` from 2025-26). Element
 * order is not enforced. Every problem is collected, then one 400 GW_ERR_MALFORMED_BODY
 * names them all with their paths (`Message.Children.Child[3].CINdetails[0].CPPstartDate`,
 * indexes from 0). Business rules are not checked here.
 */
export async function readCinCensus(bytes: Uint8Array | string): Promise<ParsedMessage<CinCensusTree>> {
  const root = await readXml('cin-census-xml', bytes);
  const rootName = localName(root.name);
  if (rootName !== 'Message') {
    throw malformed('cin-census-xml', [
      { severity: 'error', code: 'structure', expression: [rootName], diagnostics: `the root element must be Message; received ${rootName}` },
    ]);
  }
  const walker = new Walker(layoutFor(findYear(root)));
  const message = walker.complex(root, MESSAGE.type as ElementSpec[], 'Message');
  const children = (message.Children as { Child?: Record<string, unknown>[] } | undefined)?.Child ?? [];
  children.forEach((c, i) => {
    const ids = c.ChildIdentifiers as Record<string, unknown> | undefined;
    if (ids) walker.checkBothGenders(ids, `Message.Children.Child[${i}].ChildIdentifiers`);
  });
  if (walker.issues.length > 0) throw malformed('cin-census-xml', walker.issues);
  const tree = { Message: message } as unknown as CinCensusTree;
  const messageId = tree.Message.Header?.Source?.find((s) => s.SerialNo !== undefined)?.SerialNo;
  return { format: 'cin-census-xml', tree, messageId, warnings: [] };
}

// ---------------------------------------------------------------------------------------
// Helpers for rules over the tree
// ---------------------------------------------------------------------------------------

/** ReferralNFA / ICPCnotRequired read as true (true, TRUE, 1). */
export function isCinTrue(value: string | undefined): boolean {
  return value === 'true' || value === 'TRUE' || value === '1';
}

/** ReferralNFA / ICPCnotRequired read as false (false, FALSE, 0). */
export function isCinFalse(value: string | undefined): boolean {
  return value === 'false' || value === 'FALSE' || value === '0';
}

/** The collection year (Header Year), when sent. */
export function cinCollectionYear(tree: CinCensusTree): number | undefined {
  const y = tree.Message.Header?.CollectionDetails?.Year;
  return y !== undefined && /^\d{4}$/.test(y) ? Number(y) : undefined;
}

/**
 * The census period: 1 April of Year − 1 to the ReferenceDate (31 March of Year when no
 * ReferenceDate is sent). Undefined when the header gives neither.
 */
export function cinCensusPeriod(tree: CinCensusTree): { start: string; end: string } | undefined {
  const details = tree.Message.Header?.CollectionDetails;
  const year = cinCollectionYear(tree);
  const ref = details?.ReferenceDate;
  if (year !== undefined) return { start: `${year - 1}-04-01`, end: ref ?? `${year}-03-31` };
  if (ref !== undefined) {
    const refYear = Number(ref.slice(0, 4));
    const startYear = ref.slice(5) >= '04-01' ? refYear : refYear - 1;
    return { start: `${startYear}-04-01`, end: ref };
  }
  return undefined;
}

/** Whether a YYYY-MM-DD date is a Saturday or Sunday. */
export function isWeekend(date: string): boolean {
  const day = new Date(`${date}T00:00:00Z`).getUTCDay();
  return day === 0 || day === 6;
}

/** Path of a child in findings: `Message.Children.Child[2]`. */
export function cinChildPath(index: number): string {
  return `Message.Children.Child[${index}]`;
}

/** Calls `fn` for every CINdetails module of every child, with its path. */
export function forEachCinDetails(
  tree: CinCensusTree,
  fn: (details: CinDetails, path: string, child: CinChild, childIndex: number) => void,
): void {
  tree.Message.Children.Child.forEach((child, ci) => {
    child.CINdetails.forEach((details, di) => fn(details, `${cinChildPath(ci)}.CINdetails[${di}]`, child, ci));
  });
}

// ---------------------------------------------------------------------------------------
// Building small trees (rule cases and tests)
// ---------------------------------------------------------------------------------------

type Parts<T> = { [K in keyof T]?: T[K] | undefined };

/** Drops keys set to undefined, so a left-out part is absent rather than undefined. */
function defined<T>(o: Record<string, unknown>): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/**
 * A small well-formed child for rule cases: made-up ID `CHILD0001`, born 2015-06-01,
 * GenderCurrent 1, WBRI, one open CINdetails referred 2023-06-01 (source 1A, need N1,
 * not NFA). Any part can be replaced; a part set to undefined is left out.
 */
export function cinChild(
  identifiers: Parts<CinChildIdentifiers> = {},
  details: Parts<CinDetails>[] = [{}],
  characteristics: Parts<CinChildCharacteristics> = {},
): CinChild {
  return {
    ChildIdentifiers: defined<CinChildIdentifiers>({ LAchildID: 'CHILD0001', PersonBirthDate: '2015-06-01', GenderCurrent: '1', ...identifiers }),
    ChildCharacteristics: defined<CinChildCharacteristics>({ Ethnicity: 'WBRI', ...characteristics }),
    CINdetails: details.map((d) =>
      defined<CinDetails>({ CINreferralDate: '2023-06-01', ReferralSource: '1A', PrimaryNeedCode: 'N1', ReferralNFA: 'false', ...d }),
    ),
  };
}

/** Wraps children in a message for collection `year` (default 2024: 2023-04-01 to 2024-03-31). */
export function cinTree(children: CinChild[], year = 2024): CinCensusTree {
  return {
    Message: {
      Header: { CollectionDetails: { Collection: 'CIN', Year: String(year), ReferenceDate: `${year}-03-31` } },
      Children: { Child: children },
    },
  };
}
