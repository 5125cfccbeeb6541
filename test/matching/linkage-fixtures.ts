// Synthetic people for the linkage tests: made-up names, seeded, with one corrupted copy each.
import { seededRandom } from '../helpers/random.js';
import type { MatchRecord } from '../../src/matching/types.js';

const GIVEN = ['AMELIA', 'OLIVER', 'ISLA', 'GEORGE', 'IVY', 'ARTHUR', 'FREYA', 'THEO', 'POPPY', 'ALFRED', 'ROSIE', 'HARRY', 'MAISIE', 'REUBEN', 'NELL', 'JUDE', 'ELSIE', 'HUGO', 'MABEL', 'RORY'];
const FAMILY = ['ASHWORTH', 'BRAMLEY', 'CALDERWOOD', 'DENHOLM', 'ELSWICK', 'FARNDALE', 'GARSIDE', 'HOLLINGS', 'INGLEBY', 'JESMOND', 'KETTLEWELL', 'LANGSTROTH', 'MIDGLEY', 'NETHERTON', 'OSWALDTWISTLE', 'PRESTWICH', 'QUARMBY', 'RAWDON', 'SLAITHWAITE', 'TODMORDEN'];
const STREETS = ['MILL', 'CHAPEL', 'ORCHARD', 'QUARRY', 'BECK', 'FOLD'];

function typo(s: string): string {
  return s.length > 3 ? s.slice(0, 2) + s[3] + s[2] + s.slice(4) : s;
}

/** `n` people (ids p0…), each with a copy (ids d0…) that has a typo in one name field; `truth` maps both to the person. */
export function peopleWithCopies(n: number, seed = 1): { originals: MatchRecord[]; copies: MatchRecord[]; truthOf: (id: string) => string } {
  const rand = seededRandom(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  const originals: MatchRecord[] = [];
  const copies: MatchRecord[] = [];
  for (let i = 0; i < n; i++) {
    const y = 2008 + Math.floor(rand() * 16);
    const m = 1 + Math.floor(rand() * 12);
    const d = 1 + Math.floor(rand() * 28);
    const p: MatchRecord = {
      id: `p${i}`,
      givenNames: [pick(GIVEN)],
      family: `${pick(FAMILY)}${i % 7 === 0 ? '' : String.fromCharCode(65 + (i % 26))}`,
      birthDate: `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`,
      sex: rand() < 0.5 ? 'female' : 'male',
      postcode: `LS${1 + Math.floor(rand() * 20)} ${Math.floor(rand() * 10)}${'ABDEFGHJ'[Math.floor(rand() * 8)]}${'ABDEFGHJ'[Math.floor(rand() * 8)]}`,
      addressTokens: [String(1 + Math.floor(rand() * 90)), pick(STREETS), 'LANE', 'LEEDS'],
    };
    originals.push(p);
    const c: MatchRecord = { ...p, id: `d${i}`, givenNames: [...p.givenNames] };
    if (i % 3 === 0) c.givenNames[0] = typo(c.givenNames[0]!);
    else if (i % 3 === 1) c.family = typo(c.family!);
    else c.postcode = undefined;
    copies.push(c);
  }
  return { originals, copies, truthOf: (id) => id.slice(1) };
}
