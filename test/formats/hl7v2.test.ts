import { describe, expect, it } from 'vitest';
import { expressions, malformedFrom } from '../helpers/malformed.js';
import { readHl7v2, splitHl7Messages } from '../../src/formats/hl7v2.js';
import type { Hl7Segment, Hl7Tree } from '../../src/formats/hl7v2.js';

// Synthetic data only: 999-range NHS numbers with valid Modulus 11 check digits, made-up people.

const segs = (tree: Hl7Tree, id: string): Hl7Segment[] => tree[id] as Hl7Segment[];

const MSH = (event = 'A04', id = 'MSG00001') => `MSH|^~\\&|EDIS|RR8|SGW|LA202|20240315103000||ADT^${event}^ADT_A01|${id}|P|2.4`;
const EVN = 'EVN|A04|20240315103000';
const PID = 'PID|1||9990000018^^^NHS^NH~H123456^^^RR8^MR||SMITH^JO^ANN^^MISS||20150407|F|||1 TEST STREET^^LEEDS^^LS1 1AA|||||||||||||||||||||NSTS01';
const NK1_1 = 'NK1|1|SMITH^JANE|MTH^Mother';
const NK1_2 = 'NK1|2|SMITH^JOHN|FTH^Father';
const PV1 = 'PV1|1|E|RR8ED^^^RR8|A';

const message = (segments: string[], eol = '\r'): string => segments.join(eol) + eol;
const A04 = message([MSH(), EVN, PID, NK1_1, NK1_2, PV1]);

describe('readHl7v2', () => {
  it('reads a typical ADT^A04 into segments, fields, repetitions and components', () => {
    const parsed = readHl7v2(A04);
    expect(parsed.format).toBe('hl7v2');
    expect(parsed.messageId).toBe('MSG00001');
    expect(parsed.warnings).toEqual([]);
    const { tree } = parsed;
    expect(tree.segments).toEqual(['MSH', 'EVN', 'PID', 'NK1', 'NK1', 'PV1']);
    const msh = segs(tree, 'MSH')[0]!;
    expect(msh.F1).toEqual([{ C1: '|' }]);
    expect(msh.F2).toEqual([{ C1: '^~\\&' }]);
    expect(msh.F3).toEqual([{ C1: 'EDIS' }]);
    expect(msh.F9).toEqual([{ C1: 'ADT', C2: 'A04', C3: 'ADT_A01' }]);
    expect(msh.F10).toEqual([{ C1: 'MSG00001' }]);
    expect(msh.F12).toEqual([{ C1: '2.4' }]);
    expect(msh.F8).toBeUndefined(); // empty fields are left out
    const pid = segs(tree, 'PID')[0]!;
    expect(pid.F3).toEqual([
      { C1: '9990000018', C4: 'NHS', C5: 'NH' },
      { C1: 'H123456', C4: 'RR8', C5: 'MR' },
    ]);
    expect(pid.F5).toEqual([{ C1: 'SMITH', C2: 'JO', C3: 'ANN', C5: 'MISS' }]);
    expect(pid.F11).toEqual([{ C1: '1 TEST STREET', C3: 'LEEDS', C5: 'LS1 1AA' }]);
    expect(pid.F32).toEqual([{ C1: 'NSTS01' }]);
    expect(segs(tree, 'PV1')[0]!.F2).toEqual([{ C1: 'E' }]);
    // a plain JSON tree: survives a JSON round trip unchanged, no functions or classes
    expect(JSON.parse(JSON.stringify(tree))).toEqual(tree);
  });

  it('gives exactly the documented shape for the PID example', () => {
    const { tree } = readHl7v2(message([MSH(), EVN, 'PID|1||9990000018^^^NHS^NH~H123^^^RR8^MR||SMITH^JO', PV1]));
    expect(segs(tree, 'PID')).toEqual([
      { F1: [{ C1: '1' }], F3: [{ C1: '9990000018', C4: 'NHS', C5: 'NH' }, { C1: 'H123', C4: 'RR8', C5: 'MR' }], F5: [{ C1: 'SMITH', C2: 'JO' }] },
    ]);
  });

  it.each(['A01', 'A03', 'A04', 'A08', 'A28', 'A31'])('accepts ADT^%s', (event) => {
    const { tree, messageId } = readHl7v2(message([MSH(event, `MSG-${event}`), `EVN|${event}|20240315103000`, PID, PV1]));
    expect(segs(tree, 'MSH')[0]!.F9![0]).toMatchObject({ C1: 'ADT', C2: event });
    expect(messageId).toBe(`MSG-${event}`);
  });

  it('keeps repeated NK1 segments in order', () => {
    const nk1 = segs(readHl7v2(A04).tree, 'NK1');
    expect(nk1).toHaveLength(2);
    expect(nk1.map((s) => s.F2![0]!.C2)).toEqual(['JANE', 'JOHN']);
    expect(nk1[1]!.F3).toEqual([{ C1: 'FTH', C2: 'Father' }]);
  });

  it('keeps PID-3 repetitions in order, dropping empty ones', () => {
    const pid = 'PID|1||9990000026^^^NHS^NH~~H7^^^RR8^MR~9990000034^^^NHS^NH||JONES^ALEX';
    const { tree } = readHl7v2(message([MSH(), EVN, pid, PV1]));
    expect(segs(tree, 'PID')[0]!.F3!.map((r) => r.C1)).toEqual(['9990000026', 'H7', '9990000034']);
  });

  it('gives subcomponents as Cn_S with Cn the first one', () => {
    const pid = 'PID|1||9990000018^^^NHS&2.16.840.1.113883.2.1.4.1&ISO^NH||SMITH^JO||||||||||||||&ROOM 4';
    const pidSeg = segs(readHl7v2(message([MSH(), EVN, pid, PV1])).tree, 'PID')[0]!;
    expect(pidSeg.F3).toEqual([{ C1: '9990000018', C4: 'NHS', C4_S: ['NHS', '2.16.840.1.113883.2.1.4.1', 'ISO'], C5: 'NH' }]);
    expect(pidSeg.F19).toEqual([{ C1_S: ['', 'ROOM 4'] }]); // a field holding only subcomponents; the empty first one is kept in place
  });

  it('decodes escape sequences with the message delimiters', () => {
    const pid = 'PID|1||9990000018^^^NHS^NH||O\\S\\NEILL^ANN\\T\\MARIE^A\\F\\B\\R\\C\\E\\D||||||FLAT 2\\.br\\1 TEST ROAD^^LEEDS||\\H\\urgent\\N\\ call|Ren\\XC3A9\\ \\X4A6F\\';
    const p = segs(readHl7v2(message([MSH(), EVN, pid, PV1])).tree, 'PID')[0]!;
    expect(p.F5).toEqual([{ C1: 'O^NEILL', C2: 'ANN&MARIE', C3: 'A|B~C\\D' }]);
    expect(p.F11).toEqual([{ C1: 'FLAT 2\n1 TEST ROAD', C3: 'LEEDS' }]);
    expect(p.F13).toEqual([{ C1: 'urgent call' }]);
    expect(p.F14).toEqual([{ C1: 'René Jo' }]);
  });

  it('removes formatting commands other than .br', () => {
    const pv2 = 'PV2|||^Fall\\.sp2\\ from height\\.in+4\\\\.ce\\!';
    const { tree } = readHl7v2(message([MSH(), EVN, PID, PV1, pv2]));
    expect(segs(tree, 'PV2')[0]!.F3).toEqual([{ C2: 'Fall from height!' }]);
  });

  it.each([
    ['\\r', '\r'],
    ['\\n', '\n'],
    ['\\r\\n', '\r\n'],
  ])('reads segments ending %s', (_label, eol) => {
    expect(readHl7v2(message([MSH(), EVN, PID, NK1_1, NK1_2, PV1], eol)).tree).toEqual(readHl7v2(A04).tree);
  });

  it('reads mixed line endings and ignores blank lines', () => {
    const text = `${MSH()}\r\n${EVN}\n\n${PID}\r\r${NK1_1}\r\n  \r\n${NK1_2}\n${PV1}`;
    expect(readHl7v2(text).tree).toEqual(readHl7v2(A04).tree);
  });

  it('tolerates MLLP framing, as a string or as bytes', () => {
    const framed = `\x0b${A04}\x1c\r`;
    expect(readHl7v2(framed).tree).toEqual(readHl7v2(A04).tree);
    const parsed = readHl7v2(new TextEncoder().encode(framed));
    expect(parsed.messageId).toBe('MSG00001');
    expect(parsed.tree.segments).toHaveLength(6);
  });

  it('reads UTF-8 bytes, including a BOM', () => {
    const text = message([MSH(), EVN, 'PID|1||9990000018^^^NHS^NH||BRONTË^ZOË', PV1]);
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(text)]);
    expect(segs(readHl7v2(bytes).tree, 'PID')[0]!.F5).toEqual([{ C1: 'BRONTË', C2: 'ZOË' }]);
  });

  it('accepts Z-segments, optional PD1 and PV2, and a segment with no fields', () => {
    const { tree } = readHl7v2(message([MSH(), EVN, PID, 'PD1', PV1, 'PV2|||^Head injury', 'ZU1|1|A', 'ZU8|X']));
    expect(tree.segments).toEqual(['MSH', 'EVN', 'PID', 'PD1', 'PV1', 'PV2', 'ZU1', 'ZU8']);
    expect(segs(tree, 'PD1')).toEqual([{}]);
    expect(segs(tree, 'ZU1')[0]).toEqual({ F1: [{ C1: '1' }], F2: [{ C1: 'A' }] });
  });

  it('reads a message with non-default delimiters, keeping the default ones as plain data', () => {
    // field '#', component '*', repetition '@', escape '!', subcomponent '%'
    const text = message([
      'MSH#*@!%#EDIS#RR8#SGW#LA202#20240315103000##ADT*A08*ADT_A01#MSG-ALT#P#2.4',
      'EVN#A08#20240315103000',
      'PID#1##9990000018***NHS%x%y*NH@H123***RR8*MR##SMITH|JONES*JO^ANNE##!F!!S!!R!!T!!E!~&\\',
      'PV1#1#E',
    ]);
    const { tree, messageId } = readHl7v2(text);
    expect(messageId).toBe('MSG-ALT');
    const msh = segs(tree, 'MSH')[0]!;
    expect(msh.F1).toEqual([{ C1: '#' }]);
    expect(msh.F2).toEqual([{ C1: '*@!%' }]);
    expect(msh.F9).toEqual([{ C1: 'ADT', C2: 'A08', C3: 'ADT_A01' }]);
    const pid = segs(tree, 'PID')[0]!;
    expect(pid.F3).toEqual([
      { C1: '9990000018', C4: 'NHS', C4_S: ['NHS', 'x', 'y'], C5: 'NH' },
      { C1: 'H123', C4: 'RR8', C5: 'MR' },
    ]);
    expect(pid.F5).toEqual([{ C1: 'SMITH|JONES', C2: 'JO^ANNE' }]);
    expect(pid.F7).toEqual([{ C1: '#*@%!~&\\' }]);
  });
});

describe('splitHl7Messages', () => {
  const m1 = message([MSH('A04', 'MSG-1'), EVN, PID, PV1]);
  const m2 = message([MSH('A08', 'MSG-2'), 'EVN|A08', PID, NK1_1, PV1]);
  const m3 = message([MSH('A03', 'MSG-3'), 'EVN|A03', PID, PV1]);

  it('splits three messages in a batch envelope, dropping FHS/BHS/BTS/FTS', () => {
    const file = ['FHS|^~\\&|EDIS|RR8|||20240315', 'BHS|^~\\&|EDIS|RR8|||20240315', m1.trimEnd(), m2.trimEnd(), m3.trimEnd(), 'BTS|3', 'FTS|1'].join('\r\n');
    const parts = splitHl7Messages(file);
    expect(parts).toHaveLength(3);
    expect(parts.map((p) => readHl7v2(p).messageId)).toEqual(['MSG-1', 'MSG-2', 'MSG-3']);
    expect(parts[1]).toBe(m2);
    expect(parts.some((p) => /^(FHS|BHS|BTS|FTS)/m.test(p))).toBe(false);
  });

  it('splits an MLLP stream of framed messages', () => {
    const stream = [m1, m2, m3].map((m) => `\x0b${m}\x1c\r`).join('');
    const parts = splitHl7Messages(stream);
    expect(parts).toEqual([m1, m2, m3]);
  });

  it('gives lines before the first MSH as a message of their own, which reading then refuses', () => {
    const parts = splitHl7Messages(`EVN|A04\r${m1}`);
    expect(parts).toHaveLength(2);
    expect(parts[1]).toBe(m1);
    expect(malformedFrom(() => readHl7v2(parts[0]!)).issues[0]!.diagnostics).toContain("must start with an MSH segment; received 'EVN'");
  });

  it('gives nothing for an empty body', () => {
    expect(splitHl7Messages('')).toEqual([]);
    expect(splitHl7Messages('\r\n\x1c\r')).toEqual([]);
  });
});

describe('readHl7v2 refuses malformed messages, naming the field or segment', () => {
  it('refuses a truncated message with no PID (or PV1)', () => {
    const e = malformedFrom(() => readHl7v2(message([MSH(), EVN])));
    expect(expressions(e)).toEqual(['PID', 'PV1']);
    expect(e.issues.every((i) => i.code === 'required' && i.severity === 'error')).toBe(true);
    expect(e.issues[0]!.diagnostics).toContain('no PID segment');
  });

  it('refuses an unknown segment, naming its position', () => {
    const e = malformedFrom(() => readHl7v2(message([MSH(), EVN, PID, 'XYZ|1|2', PV1])));
    expect(expressions(e)).toEqual(['segment 4 (XYZ)']);
    expect(e.issues[0]!.code).toBe('structure');
    expect(e.issues[0]!.diagnostics).toContain('unknown segment XYZ');
    expect(e.message).toContain('segment 4 (XYZ)');
  });

  it.each([
    ['pid|1', 'segment 3 (pid)'],
    ['PIDX|1', 'segment 3 (PIDX)'],
    ['P1|1', 'segment 3 (P1)'],
  ])('refuses the badly formed segment id %j', (line, where) => {
    const e = malformedFrom(() => readHl7v2(message([MSH(), EVN, line, PID, PV1])));
    expect(expressions(e)).toEqual([where]);
    expect(e.issues[0]!.diagnostics).toContain('[A-Z][A-Z0-9]{2}');
  });

  it.each([
    ['ADT^A05', 'ADT^A05^ADT_A01'],
    ['ORU^R01', 'ORU^R01^ADT_A01'],
  ])('refuses the message type %s, naming what was received', (type, received) => {
    const e = malformedFrom(() => readHl7v2(A04.replace('ADT^A04', type)));
    expect(expressions(e)).toEqual(['MSH-9']);
    expect(e.issues[0]!.code).toBe('value');
    expect(e.issues[0]!.diagnostics).toContain(`received '${received}'`);
    expect(e.issues[0]!.diagnostics).toContain('A01, A03, A04, A08, A28 or A31');
  });

  it('refuses an empty message type', () => {
    const e = malformedFrom(() => readHl7v2(A04.replace('ADT^A04^ADT_A01', '')));
    expect(expressions(e)).toEqual(['MSH-9']);
    expect(e.issues[0]!.code).toBe('required');
  });

  it.each([
    ['^~\\', "received '^~\\' (3 characters)"],
    ['^~\\&#', "received '^~\\&#' (5 characters)"],
    ['^^\\&', 'distinct'],
  ])('refuses MSH-2 %j', (encoding, expected) => {
    const e = malformedFrom(() => readHl7v2(A04.replace('^~\\&', encoding)));
    expect(expressions(e)).toEqual(['MSH-2']);
    expect(e.issues[0]!.diagnostics).toContain(expected);
  });

  it('refuses a body that does not start with MSH', () => {
    const e = malformedFrom(() => readHl7v2(message([EVN, MSH(), PID, PV1])));
    expect(expressions(e)).toEqual(['segment 1 (EVN)']);
  });

  it('refuses invalid UTF-8 bytes', () => {
    const bytes = new TextEncoder().encode(A04.replace('SMITH', 'SMITH?'));
    bytes[bytes.indexOf(0x3f)] = 0xff; // a lone 0xFF is never valid UTF-8
    const e = malformedFrom(() => readHl7v2(bytes));
    expect(e.message).toContain('not valid UTF-8');
  });

  it.each([
    ['an empty string', ''],
    ['no bytes', new Uint8Array(0)],
    ['only blank lines', '\r\n\r\n  \n'],
    ['only MLLP framing', '\x0b\x1c\r'],
  ])('refuses an empty body (%s)', (_label, body) => {
    const e = malformedFrom(() => readHl7v2(body));
    expect(e.issues[0]!.diagnostics).toContain('the body is empty');
  });

  it('refuses an unterminated escape, naming the segment and field', () => {
    const e = malformedFrom(() => readHl7v2(A04.replace('SMITH^JO', 'SMITH\\F^JO')));
    expect(expressions(e)).toEqual(['PID-5']);
    expect(e.issues[0]!.diagnostics).toContain('segment 3 (PID), field PID-5: unterminated escape sequence');
  });

  it.each([
    ['an unknown escape', 'SMITH\\Q\\', 'unknown escape sequence'],
    ['an odd-length hex escape', 'SMITH\\X4\\', 'hex escape'],
    ['a hex escape that is not UTF-8', 'SMITH\\XFF\\', 'hex escape'],
  ])('refuses %s', (_label, value, expected) => {
    const e = malformedFrom(() => readHl7v2(message([MSH(), EVN, PID, NK1_1, `NK1|2|${value}`, PV1])));
    expect(expressions(e)).toEqual(['NK1-2']);
    expect(e.issues[0]!.diagnostics).toContain('segment 5 (NK1), field NK1-2');
    expect(e.issues[0]!.diagnostics).toContain(expected);
  });

  it('refuses a field repeated more than 100 times, and accepts 100', () => {
    const ids = (n: number) => Array.from({ length: n }, (_, i) => `H${i}^^^RR8^MR`).join('~');
    expect(segs(readHl7v2(message([MSH(), EVN, `PID|1||${ids(100)}`, PV1])).tree, 'PID')[0]!.F3).toHaveLength(100);
    const e = malformedFrom(() => readHl7v2(message([MSH(), EVN, `PID|1||${ids(100_000)}`, PV1])));
    expect(expressions(e)).toEqual(['PID-3']);
    expect(e.issues[0]!.diagnostics).toContain('repeats 100000 times; at most 100');
  });

  it('stops at too many repeats before parsing (so a later problem, here MSH-9, is not reached)', () => {
    const reps = Array.from({ length: 101 }, () => 'X').join('~');
    const e = malformedFrom(() => readHl7v2(message([MSH('A05'), EVN, PID, `NK1|1|${reps}`, PV1])));
    expect(expressions(e)).toEqual(['NK1-2']);
    expect(e.issues[0]!.diagnostics).toContain('segment 4 (NK1), field NK1-2 repeats 101 times');
  });

  it('refuses more than 1,000 segments', () => {
    const zs = Array.from({ length: 997 }, (_, i) => `ZU1|${i}`);
    expect(readHl7v2(message([MSH(), EVN, PID, PV1, ...zs.slice(1)])).tree.segments).toHaveLength(1000);
    const e = malformedFrom(() => readHl7v2(message([MSH(), EVN, PID, PV1, ...zs])));
    expect(e.issues[0]!.diagnostics).toContain('1001 segments; at most 1000');
  });

  it('refuses two messages in one body', () => {
    const e = malformedFrom(() => readHl7v2(A04 + A04));
    expect(expressions(e)).toEqual(expect.arrayContaining(['MSH', 'PID', 'PV1']));
    expect(e.issues.find((i) => i.expression?.[0] === 'MSH')!.diagnostics).toContain('2 MSH segments');
  });

  it('reports every problem it finds at once', () => {
    const e = malformedFrom(() => readHl7v2(message([MSH('A05'), EVN, 'PID|1||9990000018^^^NHS^NH||SMITH\\Z', 'XYZ|1'])));
    expect(expressions(e)).toEqual(['segment 4 (XYZ)', 'PV1', 'PID-5', 'MSH-9']);
  });
});
