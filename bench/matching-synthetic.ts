// A seeded generator of synthetic UK-like children for the matching benchmarks: households
// (a surname, an address, a postcode) of one to four children, some twins, first names
// drawn with a skewed (Zipf-like) frequency, double-barrelled forms, and a corruption
// function that makes the kind of duplicate another agency would hold (typos, nicknames,
// day/month swaps, a move, a missing field). Every value is made up here: no real person.
import { seededRandom } from '../src/matching/linkage.js';
import type { MatchRecord } from '../src/matching/types.js';

type Rand = () => number;


const GIRLS = 'OLIVIA AMELIA ISLA AVA MIA IVY LILY ISABELLA ROSIE SOPHIA GRACE FREYA WILLOW EMILY ELLA POPPY EVIE CHARLOTTE ELSIE EVELYN SIENNA SOFIA DAISY PHOEBE SOPHIE ALICE HARPER MATILDA RUBY EMILIA MAYA MILLIE ISABELLE LUNA MAISIE ARIA ELIZA ERIN FLORENCE ESME AURORA THEA HALLIE MARGOT ADA ELEANOR LOLA HOLLY ROBYN BONNIE IMOGEN MOLLY JESSICA CHLOE HANNAH KATIE GEORGIA AMBER LEXI LUCY MADISON NIAMH ABIGAIL SCARLETT SUMMER REBECCA NATASHA ZARA AALIYAH MARYAM FATIMA AISHA HAFSA AMINA KEIRA TILLY BETHANY LAUREN ELLIE MEGAN SIAN CERYS SEREN FFION CAITLIN ORLA SAOIRSE AOIFE ROISIN KAYLA JADE LEAH NEVAEH KACEY SHANNON TIA PAIGE CHANTELLE KERRY HARRIET EDIE NELL PENELOPE VIOLET'.split(' ');
const BOYS = 'NOAH MUHAMMAD GEORGE OLIVER LEO ARTHUR OSCAR THEODORE THEO FREDDIE HARRY ARCHIE JACK HENRY CHARLIE FINLEY TOMMY ALFIE JAMES LUCA ISAAC THOMAS WILLIAM EDWARD TEDDY ALBIE JOSHUA MASON ETHAN REGGIE ARLO JACOB ADAM BILLY RONNIE HUGO LOGAN RORY JAXON MAX ELIJAH SONNY REUBEN JUDE ELLIS DYLAN LOUIE FRANKIE HUNTER CALLUM LIAM RILEY KAI HARRISON ZACHARY SAMUEL BENJAMIN DANIEL JOSEPH MATTHEW LEWIS CONNOR KIERAN JAMIE RYAN TYLER BRANDON JORDAN NATHAN AARON OWEN RHYS DAFYDD EWAN ANGUS FINLAY CIARAN OISIN CONOR EOIN IBRAHIM YUSUF ALI OMAR HAMZA ZAIN AYAAN KAYDEN JAYDEN DEXTER STANLEY ALFRED FREDERICK ARCHIBALD ALEXANDER SEBASTIAN CALEB GABRIEL'.split(' ');
const SURNAMES = 'SMITH JONES WILLIAMS TAYLOR BROWN DAVIES EVANS WILSON THOMAS JOHNSON ROBERTS ROBINSON THOMPSON WRIGHT WALKER WHITE EDWARDS HUGHES GREEN HALL LEWIS HARRIS CLARKE PATEL JACKSON WOOD TURNER MARTIN COOPER HILL WARD MORRIS MOORE CLARK LEE KING BAKER HARRISON MORGAN ALLEN JAMES SCOTT PHILLIPS WATSON DAVIS PARKER PRICE BENNETT YOUNG GRIFFITHS MITCHELL KELLY COOK CARTER RICHARDSON BAILEY COLLINS BELL SHAW MURPHY MILLER COX RICHARDS KHAN MARSHALL ANDERSON SIMPSON ELLIS ADAMS SINGH BEGUM WILKINSON FOSTER CHAPMAN POWELL WEBB ROGERS GRAY MASON ALI HUNT HUSSAIN CAMPBELL MATTHEWS OWEN PALMER HOLMES MILLS BARNES KNIGHT LLOYD BUTLER RUSSELL BARKER FISHER STEVENS JENKINS MURRAY DIXON HARVEY GRAHAM PEARSON AHMED FLETCHER WALSH KAUR GIBSON HOWARD ANDREWS STEWART ELLIOTT REYNOLDS SAUNDERS PAYNE FOX FORD PEARCE DAY BROOKS WEST LAWRENCE COLE ATKINSON BRADLEY SPENCER GILL DAWSON BALL BURTON O\'BRIEN WATTS ROSE BOOTH PERRY RYAN GRANT WELLS ARMSTRONG FRANCIS REES HAYES HART HUDSON NEWMAN BARRETT WEBSTER HUNTER GREGORY CARR LOWE PAGE MARSH RILEY DUNN WOODS PARSONS BERRY STONE REID HOLLAND HAWKINS HARDING PORTER ROBERTSON NEWTON OLIVER REED KENNEDY WILLIAMSON BIRD GARDNER SHAH DODD NOWAK KOWALSKI OKAFOR ADEYEMI MENSAH NGUYEN CHEN'.split(' ');
const SYLLABLES = 'ash bar ber bick bourne brad brook bur by cal car chester cliff coll dale den don ell field ford gar gate ham hart hay hol holt ing kin lan ley lock mar mere mill mond more nell new nor port rad ridge row sal shaw stead ston ter thorn ton wal well wick win wood worth'.split(' ');
const STREETS = 'CHURCH HIGH STATION VICTORIA PARK MILL MANOR QUEENS KINGS MAPLE OAK ELM ASH BIRCH WILLOW CHESTNUT ORCHARD MEADOW GROVE BROOK RIVERSIDE HILLSIDE SCHOOL GEORGE ALBERT PRINCES YORK NELSON WELLINGTON BRIDGE GREEN NEW NORTH SOUTH WEST EAST CHAPEL FARM CASTLE ABBEY'.split(' ');
const SUFFIXES = 'ROAD STREET LANE CLOSE AVENUE DRIVE WAY CRESCENT GARDENS COURT'.split(' ');
const AREAS: [string, string][] = [['LS', 'LEEDS'], ['M', 'MANCHESTER'], ['B', 'BIRMINGHAM'], ['L', 'LIVERPOOL'], ['S', 'SHEFFIELD'], ['BD', 'BRADFORD'], ['NE', 'NEWCASTLE'], ['SR', 'SUNDERLAND'], ['CF', 'CARDIFF'], ['BS', 'BRISTOL'], ['NG', 'NOTTINGHAM'], ['LE', 'LEICESTER'], ['CV', 'COVENTRY'], ['ST', 'STOKE'], ['DE', 'DERBY'], ['HU', 'HULL'], ['YO', 'YORK'], ['PL', 'PLYMOUTH'], ['EX', 'EXETER'], ['TQ', 'TORQUAY'], ['BN', 'BRIGHTON'], ['SO', 'SOUTHAMPTON'], ['PO', 'PORTSMOUTH'], ['RG', 'READING'], ['OX', 'OXFORD'], ['MK', 'MILTON KEYNES'], ['LU', 'LUTON'], ['CB', 'CAMBRIDGE'], ['NR', 'NORWICH'], ['IP', 'IPSWICH'], ['CO', 'COLCHESTER'], ['SS', 'SOUTHEND'], ['ME', 'MEDWAY'], ['CT', 'CANTERBURY'], ['E', 'LONDON'], ['N', 'LONDON'], ['SE', 'LONDON'], ['SW', 'LONDON'], ['W', 'LONDON'], ['NW', 'LONDON'], ['WF', 'WAKEFIELD'], ['HD', 'HUDDERSFIELD'], ['HX', 'HALIFAX'], ['OL', 'OLDHAM'], ['BL', 'BOLTON'], ['WN', 'WIGAN'], ['PR', 'PRESTON'], ['BB', 'BLACKBURN'], ['FY', 'BLACKPOOL'], ['CA', 'CARLISLE'], ['DH', 'DURHAM'], ['TS', 'MIDDLESBROUGH'], ['DN', 'DONCASTER'], ['LN', 'LINCOLN'], ['PE', 'PETERBOROUGH'], ['NN', 'NORTHAMPTON'], ['WV', 'WOLVERHAMPTON'], ['WS', 'WALSALL'], ['DY', 'DUDLEY'], ['SA', 'SWANSEA'], ['NP', 'NEWPORT'], ['G', 'GLASGOW'], ['EH', 'EDINBURGH']];
const UNIT_LETTERS = 'ABDEFGHJLNPQRSTUWXYZ';
const NICKNAMES: Record<string, string> = { OLIVER: 'OLLIE', ALFRED: 'ALFIE', FREDERICK: 'FREDDIE', ARCHIBALD: 'ARCHIE', HARRY: 'HENRY', CHARLOTTE: 'CHARLIE', ISABELLA: 'IZZY', THEODORE: 'THEO', WILLIAM: 'BILLY', THOMAS: 'TOMMY', EDWARD: 'TEDDY', JOSHUA: 'JOSH', ZACHARY: 'ZAC', SAMUEL: 'SAM', BENJAMIN: 'BEN', DANIEL: 'DANNY', ALEXANDER: 'ALEX', MATILDA: 'TILLY', REBECCA: 'BECKY', JESSICA: 'JESS', ELEANOR: 'ELLIE', FLORENCE: 'FLO', PENELOPE: 'PENNY', KATIE: 'KATHERINE', EVIE: 'EVE', LEXI: 'ALEXANDRA', GEORGIA: 'GEORGIE', HARRIET: 'HATTIE', MARGOT: 'MARGARET', NATHAN: 'NAT', SEBASTIAN: 'SEB', JAMES: 'JAMIE', JACOB: 'JAKE', MUHAMMAD: 'MO' };

/** An index into a list of n with a Zipf-like skew (the first entries much commoner). */
function skewed(rand: Rand, n: number): number {
  return Math.min(n - 1, Math.floor(n * rand() ** 2.2));
}

function surname(rand: Rand): string {
  const r = rand();
  if (r < 0.55) return SURNAMES[skewed(rand, SURNAMES.length)]!;
  // the long tail: made-up two- or three-syllable names
  const parts = 2 + (rand() < 0.3 ? 1 : 0);
  let s = '';
  for (let i = 0; i < parts; i++) s += SYLLABLES[Math.floor(rand() * SYLLABLES.length)]!;
  const name = s.toUpperCase();
  return r > 0.97 ? `${name}-${SURNAMES[skewed(rand, SURNAMES.length)]!}` : name;
}

function postcode(rand: Rand, area: string): string {
  const district = 1 + Math.floor(rand() * 20);
  const sector = Math.floor(rand() * 10);
  const unit = UNIT_LETTERS[Math.floor(rand() * 8)]! + UNIT_LETTERS[Math.floor(rand() * UNIT_LETTERS.length)]!;
  return `${area}${district} ${sector}${unit}`;
}

function isoDate(y: number, m: number, d: number): string {
  return `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

function birthDate(rand: Rand): string {
  const y = 2006 + Math.floor(rand() * 20);
  const m = 1 + Math.floor(rand() * 12);
  const d = 1 + Math.floor(rand() * 28);
  return isoDate(y, m, d);
}

function child(rand: Rand, id: string, family: string, home: { postcode: string; address: string[] }, dob: string, twinOf?: MatchRecord): MatchRecord {
  const female = rand() < 0.49;
  const list = female ? GIRLS : BOYS;
  // Parents do not give twins one name: a twin's names are none of the co-twin's (first or
  // middle), and a middle name is not the first name again.
  const taken = new Set(twinOf?.givenNames.flatMap((n) => n.split('-')) ?? []);
  const draw = () => {
    let name = list[skewed(rand, list.length)]!;
    while (taken.has(name)) name = list[skewed(rand, list.length)]!;
    taken.add(name);
    return name;
  };
  let given = draw();
  if (rand() < 0.02) given = `${given}-${draw()}`;
  const middle = rand() < 0.3 ? [draw()] : [];
  return { id, givenNames: [given, ...middle], family, birthDate: dob, sex: female ? 'female' : 'male', postcode: home.postcode, addressTokens: [...home.address] };
}

/**
 * `count` synthetic children in households: 1–4 children a household (twins about 1 in
 * 30, never with the same first name), siblings share surname, postcode and address. Same
 * seed, same people.
 */
export function syntheticPeople(count: number, seed: number): MatchRecord[] {
  const rand = seededRandom(seed);
  const out: MatchRecord[] = [];
  let h = 0;
  while (out.length < count) {
    const family = surname(rand);
    const [area, town] = AREAS[skewed(rand, AREAS.length)]!;
    const home = { postcode: postcode(rand, area), address: [String(1 + Math.floor(rand() * 200)), STREETS[Math.floor(rand() * STREETS.length)]!, SUFFIXES[Math.floor(rand() * SUFFIXES.length)]!, ...town.split(' ')] };
    const children = 1 + Math.floor(rand() * rand() * 4);
    for (let c = 0; c < children && out.length < count; c++) {
      const dob = birthDate(rand);
      const first = child(rand, `p${h}-${c}`, family, home, dob);
      out.push(first);
      if (rand() < 0.033 && out.length < count) out.push(child(rand, `p${h}-${c}t`, family, home, dob, first)); // a twin
    }
    h++;
  }
  return out;
}

function typo(rand: Rand, s: string): string {
  if (s.length < 3) return s;
  const i = 1 + Math.floor(rand() * (s.length - 2));
  const r = rand();
  if (r < 0.33) return s.slice(0, i) + s[i + 1] + s[i] + s.slice(i + 2); // transpose
  if (r < 0.66) return s.slice(0, i) + s.slice(i + 1); // drop
  return s.slice(0, i) + 'AEIOURSTN'[Math.floor(rand() * 9)] + s.slice(i + 1); // substitute
}

/**
 * The same child as another agency might hold them: one to three of a first-name typo or
 * nickname, a surname typo or a double-barrelled surname, day and month swapped or one
 * digit off in the date of birth, a move (new postcode and address), a missing postcode or sex.
 */
export function corrupt(r: MatchRecord, rand: Rand, id: string): MatchRecord {
  const out: MatchRecord = { ...r, id, givenNames: [...r.givenNames], addressTokens: [...r.addressTokens] };
  const changes = 1 + Math.floor(rand() * 3);
  for (let k = 0; k < changes; k++) {
    const what = Math.floor(rand() * 8);
    const first = out.givenNames[0] ?? '';
    if (what === 0) out.givenNames[0] = typo(rand, first);
    else if (what === 1) out.givenNames[0] = NICKNAMES[first] ?? typo(rand, first);
    else if (what === 2 && out.family) out.family = typo(rand, out.family);
    else if (what === 3 && out.family) out.family = `${out.family}-${SURNAMES[Math.floor(rand() * SURNAMES.length)]!}`;
    else if (what === 4 && out.birthDate) {
      const [y, m, d] = out.birthDate.split('-').map(Number) as [number, number, number];
      out.birthDate = d <= 12 && d !== m ? isoDate(y, d, m) : isoDate(y, m, d === 28 ? 18 : d + 1);
    } else if (what === 5) {
      const [area] = AREAS[Math.floor(rand() * AREAS.length)]!;
      out.postcode = postcode(rand, area);
      out.addressTokens = [String(1 + Math.floor(rand() * 200)), STREETS[Math.floor(rand() * STREETS.length)]!, 'ROAD'];
    } else if (what === 6) out.postcode = undefined;
    else out.sex = undefined;
  }
  return out;
}
