import { describe, expect, it } from 'vitest';
import { isDatabaseUnavailable } from '../../src/store/db.js';

describe('isDatabaseUnavailable', () => {
  it.each([
    [{ code: 'ECONNREFUSED' }, true],
    [{ code: '08006', message: 'connection failure' }, true],
    [{ code: '57P01', message: 'terminating connection due to administrator command' }, true],
    [{ code: '53300', message: 'too many connections' }, true],
    [new Error('Cannot use a pool after calling end on the pool'), true],
    [new Error('PGlite is closed'), true],
    [{ code: '42P01', message: 'relation "x" does not exist' }, false],
    [{ code: '23505', message: 'duplicate key value violates unique constraint' }, false],
    [new Error('something else'), false],
    [null, false],
  ])('%j → %s', (err, expected) => {
    expect(isDatabaseUnavailable(err)).toBe(expected);
  });
});
