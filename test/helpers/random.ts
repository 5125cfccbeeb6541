/** The project's seeded PRNG (mulberry32), for tests that simulate data: same seed, same numbers. */
export { seededRandom } from '../../src/matching/linkage.js';
