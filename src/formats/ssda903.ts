import { isCalendarDay, isIsoCalendarDate } from '../model/dates.js';
import type { GatewayIssue } from '../errors/gateway-error.js';
import { readCsv } from './csv.js';
import type { CsvRow } from './csv.js';
import type { ParsedMessage } from './types.js';
import { malformed } from './types.js';
import type { XmlNode } from './xml.js';
import { readXml } from './xml.js';

/**
 * SSDA903 (children looked after) return: the tables and their columns, as in the
 * community schema `SSDA903_schema_2024.yml` (liia-tools). SWEpisodes is the schema's
 * `SocialWorker` table under the name the DfE validator gives it; DoLo (deprivation of
 * liberty) is the newer table with CHILD, DOB, DOLO_START, DOLO_END.
 */
export const SSDA903_COLUMNS = {
  Header: ['CHILD', 'SEX', 'DOB', 'ETHNIC', 'UPN', 'MOTHER', 'MC_DOB'],
  Episodes: ['CHILD', 'DECOM', 'RNE', 'LS', 'CIN', 'PLACE', 'PLACE_PROVIDER', 'DEC', 'REC', 'REASON_PLACE_CHANGE', 'HOME_POST', 'PL_POST', 'URN'],
  UASC: ['CHILD', 'SEX', 'DOB', 'DUC'],
  Reviews: ['CHILD', 'DOB', 'REVIEW', 'REVIEW_CODE'],
  Missing: ['CHILD', 'DOB', 'MISSING', 'MIS_START', 'MIS_END'],
  OC2: [
    'CHILD', 'DOB', 'SDQ_SCORE', 'SDQ_REASON', 'CONVICTED', 'HEALTH_CHECK', 'IMMUNISATIONS', 'TEETH_CHECK',
    'HEALTH_ASSESSMENT', 'SUBSTANCE_MISUSE', 'INTERVENTION_RECEIVED', 'INTERVENTION_OFFERED',
  ],
  OC3: ['CHILD', 'DOB', 'IN_TOUCH', 'ACTIV', 'ACCOM'],
  AD1: ['CHILD', 'DOB', 'DATE_INT', 'DATE_MATCH', 'FOSTER_CARE', 'NB_ADOPTR', 'SEX_ADOPTR', 'LS_ADOPTR'],
  PlacedAdoption: ['CHILD', 'DOB', 'DATE_PLACED', 'DATE_PLACED_CEASED', 'REASON_PLACED_CEASED'],
  PrevPerm: ['CHILD', 'DOB', 'PREV_PERM', 'LA_PERM', 'DATE_PERM'],
  SWEpisodes: ['CHILD', 'DOB', 'SW_ID', 'SW_DECOM', 'SW_DEC', 'SW_REASON'],
  DoLo: ['CHILD', 'DOB', 'DOLO_START', 'DOLO_END'],
} as const satisfies Record<string, readonly string[]>;

export type Ssda903Table = keyof typeof SSDA903_COLUMNS;
export type Ssda903Column = (typeof SSDA903_COLUMNS)[Ssda903Table][number];
export const SSDA903_TABLES = Object.keys(SSDA903_COLUMNS) as Ssda903Table[];

/**
 * One row of a table. `_line` is the CSV file line the row came from (the header is line
 * 1); for the XML variant it is the line the row would have in the equivalent CSV file
 * (its position in the table + 1), so both forms give the same tree. Dates are ISO
 * `YYYY-MM-DD`; empty cells are left out.
 */
export type Ssda903Row = { _line: number } & Partial<Record<Ssda903Column, string>>;

/** The return as tables of rows. A table absent from the input is absent here. */
export interface Ssda903Tree {
  tables: Partial<Record<Ssda903Table, Ssda903Row[]>>;
}

/** Columns holding dates (`DD/MM/YYYY` on the wire, ISO in the tree). */
export const SSDA903_DATE_COLUMNS: ReadonlySet<Ssda903Column> = new Set<Ssda903Column>([
  'DOB', 'MC_DOB', 'DECOM', 'DEC', 'DUC', 'REVIEW', 'MIS_START', 'MIS_END', 'DATE_INT', 'DATE_MATCH',
  'DATE_PLACED', 'DATE_PLACED_CEASED', 'DATE_PERM', 'SW_DECOM', 'SW_DEC', 'DOLO_START', 'DOLO_END',
]);

/** Columns the schema types as integers. */
export const SSDA903_INTEGER_COLUMNS: ReadonlySet<Ssda903Column> = new Set<Ssda903Column>(['SDQ_SCORE', 'NB_ADOPTR']);

const ZERO_ONE = ['0', '1'] as const;

/**
 * The code lists the schema enumerates, by column (a column has the same list in every
 * table). The reader does not check them — published rules do (143, 144, …).
 */
export const SSDA903_CODES = {
  SEX: ['1', '2'],
  ETHNIC: [
    'WBRI', 'WIRI', 'WOTH', 'WIRT', 'WROM', 'MWBC', 'MWBA', 'MWAS', 'MOTH', 'AIND',
    'APKN', 'ABAN', 'AOTH', 'BCRB', 'BAFR', 'BOTH', 'CHNE', 'OOTH', 'REFU', 'NOBT',
  ],
  MOTHER: ZERO_ONE,
  RNE: ['S', 'L', 'P', 'T', 'B', 'U'],
  LS: ['C1', 'C2', 'D1', 'E1', 'V2', 'V3', 'V4', 'L1', 'L2', 'L3', 'J1', 'J2', 'J3'],
  CIN: ['N1', 'N2', 'N3', 'N4', 'N5', 'N6', 'N7', 'N8'],
  PLACE: [
    'A3', 'A4', 'A5', 'A6', 'H5', 'K1', 'K2', 'P1', 'P2', 'P3', 'R1', 'R2', 'R3', 'R5',
    'S1', 'T0', 'T1', 'T2', 'T3', 'T4', 'U1', 'U2', 'U3', 'U4', 'U5', 'U6', 'Z1',
  ],
  PLACE_PROVIDER: ['PR0', 'PR1', 'PR2', 'PR3', 'PR4', 'PR5'],
  REC: [
    'X1', 'E11', 'E12', 'E2', 'E3', 'E4A', 'E4B', 'E13', 'E41', 'E45', 'E46', 'E47', 'E48',
    'E5', 'E6', 'E7', 'E9', 'E14', 'E15', 'E16', 'E17', 'E8',
  ],
  REASON_PLACE_CHANGE: ['CARPL', 'CLOSE', 'ALLEG', 'STAND', 'APPRR', 'CREQB', 'CREQO', 'CHILD', 'LAREQ', 'PLACE', 'CUSTOD', 'OTHER'],
  MISSING: ['M', 'A'],
  REVIEW_CODE: ['PN0', 'PN1', 'PN2', 'PN3', 'PN4', 'PN5', 'PN6', 'PN7'],
  SDQ_REASON: ['SDQ1', 'SDQ2', 'SDQ3', 'SDQ4', 'SDQ5'],
  CONVICTED: ZERO_ONE,
  HEALTH_CHECK: ZERO_ONE,
  IMMUNISATIONS: ZERO_ONE,
  TEETH_CHECK: ZERO_ONE,
  HEALTH_ASSESSMENT: ZERO_ONE,
  SUBSTANCE_MISUSE: ZERO_ONE,
  INTERVENTION_RECEIVED: ZERO_ONE,
  INTERVENTION_OFFERED: ZERO_ONE,
  IN_TOUCH: ['YES', 'NO', 'DIED', 'REFU', 'NREQ', 'RHOM'],
  ACTIV: ['F1', 'P1', 'F2', 'P2', 'F4', 'P4', 'F5', 'P5', 'G4', 'G5', 'G6', '0'],
  ACCOM: [
    'B1', 'B2', 'C1', 'C2', 'D1', 'D2', 'E1', 'E2', 'G1', 'G2', 'H1', 'H2', 'K1', 'K2', 'R1', 'R2', 'S1',
    'S2', 'T1', 'T2', 'U1', 'U2', 'V1', 'V2', 'W1', 'W2', 'X1', 'X2', 'Y1', 'Y2', 'Z1', 'Z2', '0',
  ],
  FOSTER_CARE: ZERO_ONE,
  SEX_ADOPTR: ['M1', 'F1', 'MM', 'FF', 'MF'],
  LS_ADOPTR: ['L0', 'L11', 'L12', 'L2', 'L3', 'L4'],
  REASON_PLACED_CEASED: ['RD1', 'RD2', 'RD3', 'RD4'],
  PREV_PERM: ['P1', 'P2', 'P3', 'P4', 'Z1'],
  // the schema writes "PCCHAN " with a trailing space; the code is PCCHAN
  SW_REASON: ['MANAGE', 'FCONTA', 'LEFTRL', 'ORGRST', 'TSPROC', 'ABSENC', 'CHCHAN', 'PCCHAN', 'SWDIED', 'OTHERS'],
} as const satisfies Partial<Record<Ssda903Column, readonly string[]>>;

/** The path rules and reader errors use for one cell: `Episodes[row 3].LS`. */
export function ssda903Path(table: Ssda903Table, row: { _line: number }, column?: Ssda903Column): string {
  return `${table}[row ${row._line}]${column ? `.${column}` : ''}`;
}

/** True for a real calendar date written `YYYY-MM-DD` (the tree's form). */
export function isIsoDate(value: string | undefined): value is string {
  return value !== undefined && isIsoCalendarDate(value);
}

/** Whole days from ISO date `from` to ISO date `to` (negative when `to` is earlier). */
export function isoDaysBetween(from: string, to: string): number {
  return Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000);
}

function compareText(a = '', b = ''): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Each child's episodes that have a CHILD and a real DECOM, in start order (ties keep
 * file order). Rows without them are left out: rule 141 and the reader report those.
 */
export function episodesByChild(tree: Ssda903Tree): Map<string, Ssda903Row[]> {
  const byChild = new Map<string, Ssda903Row[]>();
  for (const row of tree.tables.Episodes ?? []) {
    if (row.CHILD === undefined || !isIsoDate(row.DECOM)) continue;
    const rows = byChild.get(row.CHILD) ?? [];
    rows.push(row);
    byChild.set(row.CHILD, rows);
  }
  for (const rows of byChild.values()) rows.sort((a, b) => compareText(a.DECOM, b.DECOM) || a._line - b._line);
  return byChild;
}

/** A continuous stretch of one child's episodes under one legal status. */
export interface LegalStatusPeriod {
  child: string;
  rows: Ssda903Row[];
  start: string;
  /** The latest known end date (DEC) in the period; undefined when none has ended. */
  lastKnownEnd?: string;
  /** True when the period's last episode has no DEC (still open). */
  open: boolean;
}

/**
 * Groups each child's episodes with legal status `ls` into continuous periods: an episode
 * joins the period before it when it follows it directly in the child's episodes (by
 * start date) and starts on or before the day the period so far ended.
 */
export function legalStatusPeriods(tree: Ssda903Tree, ls: string): LegalStatusPeriod[] {
  const periods: LegalStatusPeriod[] = [];
  for (const [child, episodes] of episodesByChild(tree)) {
    let current: LegalStatusPeriod | undefined;
    for (const ep of episodes) {
      const start = ep.DECOM ?? '';
      if (ep.LS !== ls) {
        current = undefined;
        continue;
      }
      const joins = current !== undefined && !current.open && current.lastKnownEnd !== undefined && start <= current.lastKnownEnd;
      if (!current || !joins) {
        current = { child, rows: [], start, open: false };
        periods.push(current);
      }
      current.rows.push(ep);
      const end = isIsoDate(ep.DEC) ? ep.DEC : undefined;
      if (end !== undefined && (current.lastKnownEnd === undefined || end > current.lastKnownEnd)) current.lastKnownEnd = end;
      current.open = end === undefined;
    }
  }
  return periods;
}

type Cell = { ok: true; value: string } | { ok: false; expected: string };

/** Checks one non-empty cell's syntax and converts dates to ISO. */
function convertCell(column: Ssda903Column, raw: string): Cell {
  if (SSDA903_DATE_COLUMNS.has(column)) {
    const m = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(raw);
    if (!m || !isCalendarDay(Number(m[3]), Number(m[2]), Number(m[1]))) return { ok: false, expected: 'a real date written DD/MM/YYYY' };
    return { ok: true, value: `${m[3]}-${m[2]}-${m[1]}` };
  }
  if (SSDA903_INTEGER_COLUMNS.has(column) && !/^\d+$/.test(raw)) return { ok: false, expected: 'a whole number' };
  return { ok: true, value: raw };
}

/**
 * Builds one row from raw cells, collecting syntax problems: CHILD must be present,
 * dates must be real DD/MM/YYYY dates, integers whole numbers. Blank cells are left out.
 */
function buildRow(
  table: Ssda903Table,
  line: number,
  cells: Partial<Record<Ssda903Column, string>>,
  where: (column: Ssda903Column) => string,
  issues: GatewayIssue[],
): Ssda903Row {
  const row: Ssda903Row = { _line: line };
  for (const column of SSDA903_COLUMNS[table]) {
    const raw = cells[column];
    if (raw === undefined || raw.trim() === '') {
      if (column === 'CHILD') {
        issues.push({ severity: 'error', code: 'required', expression: [where(column)], diagnostics: 'expected the child identifier (CHILD is required); received an empty cell' });
      }
      continue;
    }
    const cell = convertCell(column, raw);
    if (cell.ok) row[column] = cell.value;
    else issues.push({ severity: 'error', code: 'value', expression: [where(column)], diagnostics: `expected ${cell.expected}; received ${JSON.stringify(raw)}` });
  }
  return row;
}

function describeColumns(names: readonly string[]): string {
  return names.map((n) => JSON.stringify(n)).join(', ');
}

/**
 * Finds the table whose columns the header holds exactly. When none matches exactly,
 * the nearest table is taken if it is clearly nearest (more than half its columns
 * shared, and nearer than any other), so the error can name the missing and unexpected
 * columns; otherwise the candidates are listed.
 */
function detectTable(columns: readonly string[]): { table: Ssda903Table } | { candidates: Ssda903Table[] } {
  const given = new Set(columns);
  const scored = SSDA903_TABLES.map((table) => {
    const expected: readonly string[] = SSDA903_COLUMNS[table];
    const shared = expected.filter((c) => given.has(c)).length;
    const union = new Set([...expected, ...columns]).size;
    return { table, shared, expected: expected.length, score: shared / union };
  }).sort((a, b) => b.score - a.score);
  const exact = scored.find((s) => s.score === 1);
  if (exact) return { table: exact.table };
  const [best, second] = scored;
  if (best && best.shared * 2 > best.expected && (!second || best.score > second.score)) return { table: best.table };
  const candidates = scored.filter((s) => s.shared > 1 && s.score === best?.score).map((s) => s.table);
  return { candidates: candidates.length > 0 ? candidates : scored.filter((s) => s.shared > 1).map((s) => s.table) };
}

function headerIssues(table: Ssda903Table, columns: readonly string[], line: number): GatewayIssue[] {
  const expected: readonly string[] = SSDA903_COLUMNS[table];
  const missing = expected.filter((c) => !columns.includes(c));
  const unexpected = columns.filter((c) => !expected.includes(c));
  const issues: GatewayIssue[] = [];
  if (missing.length > 0) {
    issues.push({
      severity: 'error',
      code: 'structure',
      expression: [`${table}[row ${line}]`],
      diagnostics: `the ${table} header lacks ${missing.length === 1 ? 'column' : 'columns'} ${describeColumns(missing)}; expected exactly ${describeColumns(expected)} in any order; received ${describeColumns(columns)}`,
    });
  }
  if (unexpected.length > 0) {
    issues.push({
      severity: 'error',
      code: 'structure',
      expression: [`${table}[row ${line}]`],
      diagnostics: `the ${table} header has unexpected ${unexpected.length === 1 ? 'column' : 'columns'} ${describeColumns(unexpected)}; expected exactly ${describeColumns(expected)} in any order`,
    });
  }
  return issues;
}

export interface ReadSsda903CsvOptions {
  maxRows?: number;
}

/**
 * Reads one SSDA903 table sent as CSV. The table is named by the caller or found from
 * the header row, which must hold exactly that table's columns (any order). Checks only
 * syntax — CHILD present, dates real `DD/MM/YYYY`, integers whole — and collects every
 * problem before throwing GW_ERR_MALFORMED_BODY. Code lists are left to the rules.
 */
export function readSsda903Csv(bytes: Uint8Array | string, table?: Ssda903Table, options: ReadSsda903CsvOptions = {}): ParsedMessage<Ssda903Tree> {
  const format = 'ssda903-csv';
  let chosen = table;
  const checkHeader = (columns: readonly string[], line: number): GatewayIssue[] => {
    if (!chosen) {
      const found = detectTable(columns);
      if ('candidates' in found) {
        const hint = found.candidates.length > 0 ? `it could be ${found.candidates.join(' or ')}; ` : '';
        return [
          {
            severity: 'error',
            code: 'structure',
            expression: [`line ${line}`],
            diagnostics: `the header row (${describeColumns(columns)}) does not match the columns of any SSDA903 table; ${hint}expected the columns of one of ${SSDA903_TABLES.join(', ')}`,
          },
        ];
      }
      chosen = found.table;
    }
    return headerIssues(chosen, columns, line);
  };
  const csv = readCsv(format, bytes, { ...(options.maxRows === undefined ? {} : { maxRows: options.maxRows }), checkHeader });
  const t = chosen;
  if (!t) throw malformed(format, 'the SSDA903 table could not be told from the header row', 'line 1');

  const issues: GatewayIssue[] = [];
  const rows = csv.rows.map((r: CsvRow) => buildRow(t, r.line, r.values, (c) => ssda903Path(t, { _line: r.line }, c), issues));
  if (issues.length > 0) throw malformed(format, issues);
  return { format, tree: { tables: { [t]: rows } }, warnings: [] };
}

// ---------------------------------------------------------------------------------------
// XML variant
// ---------------------------------------------------------------------------------------

/**
 * The SSDA903 XML export: one CHILD per child, holding a HEADER and its EPISODEs.
 *
 *   EXPSSDA903
 *     CHILD*
 *       HEADER  CHILDID UPN SEX DOB ETHNIC MOTHER MC_DOB UASC DUC
 *               [IN_TOUCH ACTIV ACCOM]                           → OC3 row (when IN_TOUCH)
 *               [DATE_INT DATE_MATCH FOSTER_CARE NB_ADOPTR SEX_ADOPTR LS_ADOPTR] → AD1 row
 *               AREVIEW*    REVIEW REVIEW_CODE                   → Reviews
 *               AMISSING*   MISSING MIS_START MIS_END            → Missing
 *               OC2?        SDQ_SCORE … INTERVENTION_OFFERED     → OC2
 *               PERMANENCE? PREV_PERM LA_PERM DATE_PERM          → PrevPerm
 *               AD_PLACED*  DATE_PLACED DATE_PLACED_CEASED REASON_PLACED_CEASED → PlacedAdoption
 *               (OC3 and AD1 items may also sit in an OC3 / AD1 group element)
 *       EPISODE* DECOM RNE LS CIN PL PLACE_PROVIDER DEC REC REASON_PLACE_CHANGE HOME_POST PL_POST URN
 *
 * CHILDID is CHILD and PL is PLACE in the CSV form; CHILD and DOB (and SEX for UASC)
 * are copied from the HEADER into each row. UASC = 1 (or a DUC) gives a UASC row.
 */
const XML_TABLES = ['Header', 'Episodes', 'UASC', 'Reviews', 'Missing', 'OC2', 'OC3', 'AD1', 'PlacedAdoption', 'PrevPerm'] as const satisfies readonly Ssda903Table[];

const HEADER_ITEMS = new Set(['CHILDID', 'UPN', 'SEX', 'DOB', 'ETHNIC', 'MOTHER', 'MC_DOB', 'UASC', 'DUC']);
const OC3_ITEMS = ['IN_TOUCH', 'ACTIV', 'ACCOM'] as const;
const AD1_ITEMS = ['DATE_INT', 'DATE_MATCH', 'FOSTER_CARE', 'NB_ADOPTR', 'SEX_ADOPTR', 'LS_ADOPTR'] as const;

/** HEADER sub-elements that each give one row of a table, and the items they may hold. */
const HEADER_GROUPS: Record<string, { table: Ssda903Table; items: readonly string[]; repeat: boolean }> = {
  AREVIEW: { table: 'Reviews', items: ['REVIEW', 'REVIEW_CODE'], repeat: true },
  AMISSING: { table: 'Missing', items: ['MISSING', 'MIS_START', 'MIS_END'], repeat: true },
  OC2: { table: 'OC2', items: SSDA903_COLUMNS.OC2.slice(2), repeat: false },
  PERMANENCE: { table: 'PrevPerm', items: ['PREV_PERM', 'LA_PERM', 'DATE_PERM'], repeat: false },
  AD_PLACED: { table: 'PlacedAdoption', items: ['DATE_PLACED', 'DATE_PLACED_CEASED', 'REASON_PLACED_CEASED'], repeat: true },
  OC3: { table: 'OC3', items: OC3_ITEMS, repeat: false },
  AD1: { table: 'AD1', items: AD1_ITEMS, repeat: false },
};

const EPISODE_ITEMS: Record<string, Ssda903Column> = {
  DECOM: 'DECOM', RNE: 'RNE', LS: 'LS', CIN: 'CIN', PL: 'PLACE', PLACE_PROVIDER: 'PLACE_PROVIDER', DEC: 'DEC', REC: 'REC',
  REASON_PLACE_CHANGE: 'REASON_PLACE_CHANGE', HOME_POST: 'HOME_POST', PL_POST: 'PL_POST', URN: 'URN',
};

interface PendingRow {
  table: Ssda903Table;
  /** Item values by column (plus the HEADER's UASC flag, which is no column). */
  cells: Partial<Record<Ssda903Column | 'UASC', string>>;
  /** XML path of the element each column came from. */
  paths: Partial<Record<Ssda903Column | 'UASC', string>>;
  path: string;
}

/**
 * Reads a group element's leaf items into `into`, refusing unknown, repeated or nested
 * items. `allowed` maps element names to columns (PL → PLACE, CHILDID → CHILD).
 */
function readItems(
  node: XmlNode,
  path: string,
  allowed: (name: string) => Ssda903Column | 'UASC' | undefined,
  into: PendingRow,
  issues: GatewayIssue[],
  skip: (child: XmlNode) => boolean = () => false,
): void {
  const seen = new Set<string>();
  for (const child of node.children) {
    if (skip(child)) continue;
    const childPath = `${path}.${child.name}`;
    const column = allowed(child.name);
    if (!column) {
      issues.push({ severity: 'error', code: 'structure', expression: [childPath], diagnostics: `unexpected element <${child.name}> in <${node.name}>` });
      continue;
    }
    if (child.children.length > 0) {
      issues.push({ severity: 'error', code: 'structure', expression: [childPath], diagnostics: `<${child.name}> must hold text, not elements` });
      continue;
    }
    if (seen.has(child.name)) {
      issues.push({ severity: 'error', code: 'structure', expression: [childPath], diagnostics: `<${child.name}> appears more than once in <${node.name}>; expected it at most once` });
      continue;
    }
    seen.add(child.name);
    into.cells[column] = child.text;
    into.paths[column] = childPath;
  }
}

function asColumn(items: readonly string[]): (name: string) => Ssda903Column | undefined {
  return (name) => (items.includes(name) ? (name as Ssda903Column) : undefined);
}

function hasValue(v: string | undefined): v is string {
  return v !== undefined && v.trim() !== '';
}

/**
 * Reads the SSDA903 XML export into the same tree as the CSV tables: every table the XML
 * can carry is present (empty when no child has rows in it). Same syntax checks as the
 * CSV reader, with XML paths (`EXPSSDA903.CHILD[2].EPISODE[1].DECOM`) in the errors.
 */
export async function readSsda903Xml(bytes: Uint8Array | string): Promise<ParsedMessage<Ssda903Tree>> {
  const format = 'ssda903-xml';
  const root = await readXml(format, bytes);
  if (root.name !== 'EXPSSDA903') {
    throw malformed(format, `the root element is <${root.name}>; expected <EXPSSDA903>`, root.name);
  }
  const issues: GatewayIssue[] = [];
  const pending: PendingRow[] = [];

  root.children.forEach((child, ci) => {
    const childPath = `EXPSSDA903.CHILD[${ci + 1}]`;
    if (child.name !== 'CHILD') {
      issues.push({ severity: 'error', code: 'structure', expression: [`EXPSSDA903.${child.name}`], diagnostics: `unexpected element <${child.name}>; expected <CHILD>` });
      return;
    }
    const headers = child.children.filter((n) => n.name === 'HEADER');
    if (headers.length !== 1) {
      issues.push({ severity: 'error', code: 'structure', expression: [childPath], diagnostics: `expected exactly one <HEADER> in <CHILD>; received ${headers.length}` });
      return;
    }
    const header = headers[0] as XmlNode;
    const headerPath = `${childPath}.HEADER`;

    // child-level items: the HEADER's own leaves
    const base: PendingRow = { table: 'Header', cells: {}, paths: {}, path: headerPath };
    const flatItems = [...HEADER_ITEMS, ...OC3_ITEMS, ...AD1_ITEMS];
    readItems(header, headerPath, (n) => (n === 'CHILDID' ? 'CHILD' : flatItems.includes(n) ? (n as Ssda903Column | 'UASC') : undefined), base, issues, (n) => n.name in HEADER_GROUPS);

    const inherit = (table: Ssda903Table, path: string): PendingRow => {
      const row: PendingRow = { table, cells: {}, paths: {}, path };
      const cols: readonly string[] = SSDA903_COLUMNS[table];
      for (const c of ['CHILD', 'DOB', ...(table === 'UASC' ? ['SEX'] : [])] as Ssda903Column[]) {
        // CHILD comes from CHILDID; errors on it name the HEADER element
        if (cols.includes(c)) {
          row.cells[c] = base.cells[c];
          row.paths[c] = base.paths[c] ?? `${headerPath}.${c === 'CHILD' ? 'CHILDID' : c}`;
        }
      }
      return row;
    };

    const headerRow = inherit('Header', headerPath);
    for (const c of SSDA903_COLUMNS.Header) {
      if (c === 'CHILD' || c === 'DOB') continue;
      headerRow.cells[c] = base.cells[c];
      headerRow.paths[c] = base.paths[c] ?? `${headerPath}.${c}`;
    }
    pending.push(headerRow);

    const uascFlag = base.cells.UASC?.trim() ?? '';
    if (uascFlag !== '' && uascFlag !== '0' && uascFlag !== '1') {
      issues.push({ severity: 'error', code: 'value', expression: [`${headerPath}.UASC`], diagnostics: `expected 1 (UASC) or 0 / empty (not UASC); received ${JSON.stringify(base.cells.UASC)}` });
    }
    if (uascFlag === '1' || hasValue(base.cells.DUC)) {
      const row = inherit('UASC', headerPath);
      row.cells.DUC = base.cells.DUC;
      row.paths.DUC = base.paths.DUC ?? `${headerPath}.DUC`;
      pending.push(row);
    }

    const groupRows: PendingRow[] = [];
    const groupCounts: Record<string, number> = {};
    for (const g of header.children) {
      const spec = HEADER_GROUPS[g.name];
      if (!spec) continue;
      const n = (groupCounts[g.name] = (groupCounts[g.name] ?? 0) + 1);
      const gPath = `${headerPath}.${g.name}${spec.repeat ? `[${n}]` : ''}`;
      if (!spec.repeat && n > 1) {
        issues.push({ severity: 'error', code: 'structure', expression: [`${headerPath}.${g.name}`], diagnostics: `<${g.name}> appears more than once in <HEADER>; expected it at most once` });
        continue;
      }
      const row = inherit(spec.table, gPath);
      readItems(g, gPath, asColumn(spec.items), row, issues);
      groupRows.push(row);
    }

    // OC3 and AD1 items may sit directly in HEADER or in their own group element
    for (const [table, items] of [['OC3', OC3_ITEMS], ['AD1', AD1_ITEMS]] as const) {
      const flat = items.some((i) => base.cells[i] !== undefined);
      const grouped = groupRows.some((r) => r.table === table);
      if (flat && grouped) {
        issues.push({ severity: 'error', code: 'structure', expression: [`${headerPath}.${table}`], diagnostics: `${table} items are both in <HEADER> and in <${table}>; expected one place` });
      } else if (items.some((i) => hasValue(base.cells[i]))) {
        const row = inherit(table, headerPath);
        for (const i of items) {
          row.cells[i] = base.cells[i];
          row.paths[i] = base.paths[i] ?? `${headerPath}.${i}`;
        }
        pending.push(row);
      }
    }
    pending.push(...groupRows);

    let e = 0;
    for (const ep of child.children) {
      if (ep.name === 'HEADER') continue;
      if (ep.name !== 'EPISODE') {
        issues.push({ severity: 'error', code: 'structure', expression: [`${childPath}.${ep.name}`], diagnostics: `unexpected element <${ep.name}> in <CHILD>; expected <HEADER> or <EPISODE>` });
        continue;
      }
      e++;
      const epPath = `${childPath}.EPISODE[${e}]`;
      const row = inherit('Episodes', epPath);
      readItems(ep, epPath, (n) => EPISODE_ITEMS[n], row, issues);
      pending.push(row);
    }
  });

  const tables: Partial<Record<Ssda903Table, Ssda903Row[]>> = {};
  for (const t of XML_TABLES) tables[t] = [];
  for (const p of pending) {
    const rows = tables[p.table] ?? [];
    tables[p.table] = rows;
    rows.push(buildRow(p.table, rows.length + 2, p.cells, (c) => p.paths[c] ?? `${p.path}.${c}`, issues));
  }
  if (issues.length > 0) {
    // a HEADER item copied into several rows (CHILDID, DOB) is reported once
    const seen = new Set<string>();
    throw malformed(
      format,
      issues.filter((i) => {
        const key = `${i.expression?.join(',') ?? ''}|${i.diagnostics}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      }),
    );
  }
  return { format, tree: { tables }, warnings: [] };
}
