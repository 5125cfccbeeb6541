import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/errors/codes.js';
import { PACKAGE_ROOT } from '../../src/paths.js';

describe('docs/errors.md', () => {
  it('tables every GW_ERR code with its HTTP status, and no code that does not exist', () => {
    const doc = fs.readFileSync(path.join(PACKAGE_ROOT, 'docs', 'errors.md'), 'utf8');
    const rows = [...doc.matchAll(/^\|\s*`(GW_ERR_[A-Z_]+)`\s*\|\s*(\d{3})\s*\|/gm)].map((m) => [m[1], Number(m[2])]);
    const registry = Object.entries(ERROR_CODES).map(([code, v]) => [code, v.status]);
    expect(rows.sort()).toEqual(registry.sort());
  });
});
