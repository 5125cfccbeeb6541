import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { CsvSyntaxError, openRoutingCsv } from '../formats/routing-csv.js';
import { ConfigError } from './env.js';

/** One children's services authority: its ONS code, DfE LA number and name. */
const LaCodeRowSchema = z.object({
  ons_code: z.string().regex(/^E[0-9]{8}$/, 'expected an ONS code for England such as E08000035'),
  dfe_la_number: z.string().regex(/^[0-9]{3}$/, 'expected a three-digit DfE LA number such as 383'),
  name: z.string().min(1, 'expected the authority\'s name'),
});
export type LaCode = z.infer<typeof LaCodeRowSchema>;

/** ONS area codes → DfE LA numbers, and the DfE numbers known. */
export interface LaCodes {
  byOnsCode: ReadonlyMap<string, LaCode>;
  /** DfE LA number → name. */
  names: ReadonlyMap<string, string>;
}

/** Where the code list lives under the config directory. */
export function laCodesFile(configDir: string): string {
  return path.join(configDir, 'routing', 'la-codes.csv');
}

/**
 * Loads `routing/la-codes.csv` (`ons_code,dfe_la_number,name`): how an ONS district,
 * unitary or county code becomes the DfE LA number routing uses. Several ONS codes may
 * name one LA (a recoded district keeps its DfE number). A bad file throws ConfigError
 * naming the file, line and column.
 */
export async function loadLaCodes(configDir: string): Promise<LaCodes> {
  const file = laCodesFile(configDir);
  if (!fs.existsSync(file)) throw new ConfigError(`${file} is missing; expected the ONS code → DfE LA number list (ons_code,dfe_la_number,name)`);
  const where = (line: number | undefined) => `${file}${line === undefined ? '' : ` line ${line}`}`;
  try {
    const csv = await openRoutingCsv(file);
    for (const column of ['ons_code', 'dfe_la_number', 'name']) {
      if (!csv.columns.includes(column)) {
        csv.close();
        throw new ConfigError(`${where(csv.headerLine)}: no ${column} column; expected the header ons_code,dfe_la_number,name`);
      }
    }
    const byOnsCode = new Map<string, LaCode>();
    const names = new Map<string, string>();
    for await (const row of csv.rows) {
      const parsed = LaCodeRowSchema.safeParse(row.values);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new ConfigError(`${where(row.line)}, column ${String(issue?.path[0] ?? '?')}: ${issue?.message ?? 'not valid'}`);
      }
      if (byOnsCode.has(parsed.data.ons_code)) throw new ConfigError(`${where(row.line)}, column ons_code: ${parsed.data.ons_code} is listed twice; expected each ONS code once`);
      byOnsCode.set(parsed.data.ons_code, parsed.data);
      if (!names.has(parsed.data.dfe_la_number)) names.set(parsed.data.dfe_la_number, parsed.data.name);
    }
    return { byOnsCode, names };
  } catch (err) {
    if (err instanceof CsvSyntaxError) throw new ConfigError(`${where(err.line)}: ${err.message}`);
    throw err;
  }
}
