/**
 * Given-name nicknames (Bill/William, Alfie/Alfred): the matcher's 'nickname' level.
 * The list is project data, config/matching/nicknames.csv (`formal,has_nickname,nickname`
 * per line; see config/matching/NOTICE-nicknames.md for where it came from), read once on
 * first use. Names are normalised like every other given name (normaliseName), so 'bill',
 * 'Bill ' and 'BILL' are one name.
 *
 * Two names are nicknames of one another when one is listed under the other, in either
 * direction, or when both are listed under one formal name (Bill and Billy, both under
 * William). Each name carries the sorted ids of the formal-name groups it belongs to; a
 * pair are nicknames when their id lists intersect, which `prepare` computes once per
 * record so the comparison is a merge of two short integer arrays.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { normaliseName } from './normalise.js';

/** Where the default list lives: config/matching/nicknames.csv at the project root (from src/ or dist/ alike). */
export const DEFAULT_NICKNAMES_FILE = fileURLToPath(new URL('../../config/matching/nicknames.csv', import.meta.url));

export interface NicknameTable {
  /** Number of distinct names in the table. */
  readonly size: number;
  /** The sorted group ids of a normalised name; empty when the name is not in the table. */
  groupsOf(name: string): Int32Array;
  /** Whether two names (normalised here) are nicknames of one another; false for the same name or a name not in the table. */
  areNicknames(a: string, b: string): boolean;
}

const EMPTY = new Int32Array(0);

/** Whether two sorted id lists share an id. */
export function sharesGroup(a: Int32Array, b: Int32Array): boolean {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    if (x === y) return true;
    if (x < y) i++;
    else j++;
  }
  return false;
}

/**
 * Builds the lookup from the text of a nickname CSV (header `name1,relationship,name2`, then
 * `formal,has_nickname,nickname` lines; blank lines ignored, CRLF or LF). A malformed line
 * throws an Error naming `source` and the line number.
 */
export function parseNicknames(text: string, source = 'nicknames.csv'): NicknameTable {
  const groups = new Map<string, number[]>();
  const formalIds = new Map<string, number>();
  const add = (name: string, id: number) => {
    const g = groups.get(name);
    if (g === undefined) groups.set(name, [id]);
    else if (!g.includes(id)) g.push(id);
  };
  const lines = text.split(/\r?\n/);
  const header = lines[0]?.trim().toLowerCase();
  if (header !== 'name1,relationship,name2') {
    throw new Error(`${source}: line 1 must be the header 'name1,relationship,name2' (found '${(lines[0] ?? '').slice(0, 60)}')`);
  }
  for (let n = 1; n < lines.length; n++) {
    const line = lines[n]!.trim();
    if (line === '') continue;
    const cells = line.split(',');
    if (cells.length !== 3 || cells[1]!.trim() !== 'has_nickname') {
      throw new Error(`${source}: line ${n + 1}: expected 'formal,has_nickname,nickname'`);
    }
    const formal = normaliseName(cells[0]!);
    const nick = normaliseName(cells[2]!);
    if (formal === '' || nick === '') throw new Error(`${source}: line ${n + 1}: a name is empty`);
    let id = formalIds.get(formal);
    if (id === undefined) formalIds.set(formal, (id = formalIds.size));
    add(formal, id);
    add(nick, id);
  }
  const table = new Map<string, Int32Array>();
  for (const [name, ids] of groups) table.set(name, Int32Array.from(ids.sort((x, y) => x - y)));
  const groupsOf = (name: string) => table.get(name) ?? EMPTY;
  return {
    size: table.size,
    groupsOf,
    areNicknames(a, b) {
      const x = normaliseName(a);
      const y = normaliseName(b);
      if (x === y) return false;
      return sharesGroup(groupsOf(x), groupsOf(y));
    },
  };
}

/** Reads a nickname CSV file; an unreadable or malformed file throws an Error naming it. */
export function loadNicknames(file: string = DEFAULT_NICKNAMES_FILE): NicknameTable {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`${file}: cannot read the nickname list: ${(err as Error).message}`, { cause: err });
  }
  return parseNicknames(text, file);
}

let defaultTable: NicknameTable | undefined;

/** The project's nickname table (config/matching/nicknames.csv), loaded on first use and kept. */
export function nicknameTable(): NicknameTable {
  return (defaultTable ??= loadNicknames());
}

/** Whether two given names are nicknames of one another in the project's list (Bill/William, Bill/Billy, Alfie/Alfred). */
export function areNicknames(a: string, b: string): boolean {
  return nicknameTable().areNicknames(a, b);
}
