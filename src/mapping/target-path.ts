/** One step of a canonical target path: `names`, `names[official]`, `given[]`, `identifiers[+]`. */
export interface TargetSegment {
  name: string;
  /** undefined: a plain property; 'append': `[]`; 'new': `[+]`; otherwise the element label. */
  index?: string;
}

const LABEL = Symbol('label');
type Labelled = Record<string, unknown> & { [LABEL]?: string };

export function parseTarget(text: string): TargetSegment[] {
  return text.split('.').map((part) => {
    const m = /^([A-Za-z][A-Za-z0-9_]*)(?:\[([A-Za-z0-9+-]*)\])?$/.exec(part);
    if (!m?.[1]) throw new Error(`bad target segment ${part}`);
    const inner = m[2];
    return { name: m[1], ...(inner === undefined ? {} : { index: inner === '' ? 'append' : inner === '+' ? 'new' : inner }) };
  });
}

/** Renders a target path for lineage, with labels kept (`identifiers[nhs].value`). */
export function targetText(segments: TargetSegment[]): string {
  return segments.map((s) => (s.index === undefined ? s.name : s.index === 'append' ? `${s.name}[]` : s.index === 'new' ? `${s.name}[+]` : `${s.name}[${s.index}]`)).join('.');
}

/**
 * Writes a value into a nested record. Labelled array elements are found (or opened)
 * by label; `onlyExisting` writes only into labelled elements that already exist, so a
 * constant such as an identifier system never opens an identifier by itself.
 * Returns false when nothing was written.
 */
export function setAt(container: Record<string, unknown>, segments: TargetSegment[], value: unknown, onlyExisting: boolean): boolean {
  let node: Record<string, unknown> = container;
  for (let s = 0; s < segments.length; s += 1) {
    const seg = segments[s]!;
    const last = s === segments.length - 1;
    if (seg.index === undefined) {
      if (last) {
        node[seg.name] = value;
        return true;
      }
      const next = node[seg.name];
      if (next === undefined) {
        if (onlyExisting && segments.slice(s + 1).some((x) => x.index !== undefined && x.index !== 'append')) return false;
        node[seg.name] = {};
      }
      node = node[seg.name] as Record<string, unknown>;
      continue;
    }
    const arr = (node[seg.name] ??= []) as unknown[];
    if (seg.index === 'append') {
      if (!last) throw new Error(`[] may only end a target path`);
      arr.push(value);
      return true;
    }
    if (seg.index === 'new') {
      if (last) {
        arr.push(value);
        return true;
      }
      const elem: Labelled = {};
      arr.push(elem);
      node = elem;
      continue;
    }
    let elem = (arr as Labelled[]).find((e) => e[LABEL] === seg.index);
    if (!elem) {
      if (onlyExisting) {
        if (arr.length === 0) delete node[seg.name];
        return false;
      }
      elem = {};
      Object.defineProperty(elem, LABEL, { value: seg.index, enumerable: false });
      arr.push(elem);
    }
    if (last) throw new Error(`a labelled element needs a field after it: ${seg.name}[${seg.index}]`);
    node = elem;
  }
  return false;
}

/**
 * Removes empty objects and arrays left behind (e.g. a group item that found nothing),
 * in place: the records are the engine's own fresh objects.
 */
export function prune(value: unknown): unknown {
  if (Array.isArray(value)) {
    let kept = 0;
    for (let i = 0; i < value.length; i++) {
      const v = prune(value[i]);
      if (v !== undefined) value[kept++] = v;
    }
    value.length = kept;
    return kept === 0 ? undefined : value;
  }
  if (value !== null && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    let any = false;
    for (const k of Object.keys(obj)) {
      const v = prune(obj[k]);
      if (v === undefined) delete obj[k];
      else {
        obj[k] = v;
        any = true;
      }
    }
    return any ? obj : undefined;
  }
  return value;
}
