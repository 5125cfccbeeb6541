import fs from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from './env.js';

/**
 * Reads one YAML configuration file and checks it against its schema. Anything wrong stops
 * start-up with a ConfigError naming the file and, for a schema problem, every field at
 * fault (`what` says what the file should have been, e.g. "agency configuration").
 */
export function readYamlConfig<S extends z.ZodType>(file: string, schema: S, what: string): z.infer<S> {
  let raw: unknown;
  try {
    raw = parseYaml(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`${file}: cannot be read as YAML: ${(err as Error).message}`);
  }
  const result = schema.safeParse(raw);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `${i.path.join('.') || '(top level)'}: ${i.message}`);
    throw new ConfigError(`${file}: invalid ${what}:\n  ${lines.join('\n  ')}`);
  }
  return result.data;
}
