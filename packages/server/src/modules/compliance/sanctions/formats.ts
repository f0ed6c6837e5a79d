import { XMLParser } from 'fast-xml-parser';

/** One listed person, entity, vessel or aircraft, whatever list it came from. */
export interface ListedParty {
  source: ListSource;
  /** the list's own id: OFAC `ent_num`, UN `DATAID` */
  externalId: string;
  kind: 'individual' | 'entity' | 'vessel' | 'aircraft' | 'other';
  /** primary name first, then aliases */
  names: string[];
  /** ISO dates (YYYY-MM-DD) or years (YYYY) */
  dobs: string[];
  countries: string[];
  programs: string[];
  documents: { type: string; number: string; country: string | null }[];
  remarks: string | null;
}

export type ListSource = 'ofac_sdn' | 'un_consolidated';

export type ParseResult = { ok: true; parties: ListedParty[] } | { ok: false; error: string };

/** RFC 4180 CSV: quoted fields may hold commas, doubled quotes and line breaks. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      field = '';
      if (row.length > 1 || (row[0] ?? '').trim() !== '') rows.push(row);
      row = [];
    } else field += c;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    if (row.length > 1 || (row[0] ?? '').trim() !== '') rows.push(row);
  }
  return rows;
}

/** OFAC writes `-0-` (sometimes padded) for an empty value. */
function ofacValue(v: string | undefined): string | null {
  const t = (v ?? '').trim();
  return t === '' || t === '-0-' ? null : t;
}

const dobPattern = /DOB\s+([^;]+)/gi;
const months: Record<string, string> = {
  jan: '01',
  feb: '02',
  mar: '03',
  apr: '04',
  may: '05',
  jun: '06',
  jul: '07',
  aug: '08',
  sep: '09',
  oct: '10',
  nov: '11',
  dec: '12',
};

/** `DOB 15 Mar 1965` / `DOB 1965` / `DOB circa 1965` in SDN remarks, as ISO date or year. */
function ofacDobs(remarks: string | null): string[] {
  if (!remarks) return [];
  const out: string[] = [];
  for (const m of remarks.matchAll(dobPattern)) {
    const raw = (m[1] ?? '').trim();
    const full = /(\d{1,2})\s+([A-Za-z]{3})[a-z]*\s+(\d{4})/.exec(raw);
    if (full) {
      const month = months[(full[2] ?? '').toLowerCase()];
      if (month) out.push(`${full[3]}-${month}-${(full[1] ?? '').padStart(2, '0')}`);
      continue;
    }
    const year = /(\d{4})/.exec(raw);
    if (year?.[1]) out.push(year[1]);
  }
  return out;
}

function ofacKind(type: string | null): ListedParty['kind'] {
  switch ((type ?? '').toLowerCase()) {
    case 'individual':
      return 'individual';
    case 'vessel':
      return 'vessel';
    case 'aircraft':
      return 'aircraft';
    case '':
      return 'entity';
    default:
      return 'other';
  }
}

/**
 * The OFAC SDN legacy CSV files (no header rows): `sdn.csv` (one row per listing), `alt.csv`
 * (aliases, joined on ent_num) and `add.csv` (addresses, for countries).
 */
export function parseOfacSdn(files: { sdn: string; alt?: string; add?: string }): ParseResult {
  const parties = new Map<string, ListedParty>();
  for (const row of parseCsv(files.sdn)) {
    const id = ofacValue(row[0]);
    const name = ofacValue(row[1]);
    // the published file ends with a control character line; skip anything without id and name
    if (!id || !name || !/^\d+$/.test(id)) continue;
    if (row.length < 12)
      return { ok: false, error: `sdn.csv: entry ${id} has ${row.length} columns, expected 12` };
    const remarks = ofacValue(row[11]);
    const program = ofacValue(row[3]);
    parties.set(id, {
      source: 'ofac_sdn',
      externalId: id,
      kind: ofacKind(ofacValue(row[2])),
      names: [name],
      dobs: ofacDobs(remarks),
      countries: [],
      programs: program
        ? program
            .split(/\]\s*\[|[[\]]/)
            .map((p) => p.trim())
            .filter(Boolean)
        : [],
      documents: [],
      remarks,
    });
  }
  if (parties.size === 0) return { ok: false, error: 'sdn.csv holds no entries' };
  for (const row of files.alt ? parseCsv(files.alt) : []) {
    const party = parties.get(ofacValue(row[0]) ?? '');
    const alias = ofacValue(row[3]);
    if (party && alias) party.names.push(alias);
  }
  for (const row of files.add ? parseCsv(files.add) : []) {
    const party = parties.get(ofacValue(row[0]) ?? '');
    const country = ofacValue(row[4]);
    if (party && country && !party.countries.includes(country)) party.countries.push(country);
  }
  return { ok: true, parties: [...parties.values()] };
}

const asArray = <T>(v: T | T[] | undefined | null): T[] =>
  v === undefined || v === null ? [] : Array.isArray(v) ? v : [v];
const str = (v: unknown): string | null => {
  if (v === undefined || v === null) return null;
  const s = String(v as string | number).trim();
  return s === '' ? null : s;
};

type XmlNode = Record<string, unknown>;

/** Reads the UN Security Council consolidated list (XML) and its generation date. */
export function parseUnConsolidated(xml: string): ParseResult & { generatedOn?: string | null } {
  let doc: XmlNode;
  try {
    doc = new XMLParser({ ignoreAttributes: false, parseTagValue: false, trimValues: true }).parse(
      xml,
    ) as XmlNode;
  } catch (e) {
    return { ok: false, error: `not well-formed XML: ${(e as Error).message}` };
  }
  const root = doc['CONSOLIDATED_LIST'] as XmlNode | undefined;
  if (!root || typeof root !== 'object') return { ok: false, error: 'no CONSOLIDATED_LIST element' };
  const parties: ListedParty[] = [];
  const individuals = asArray((root['INDIVIDUALS'] as XmlNode | undefined)?.['INDIVIDUAL'] as XmlNode[]);
  const entities = asArray((root['ENTITIES'] as XmlNode | undefined)?.['ENTITY'] as XmlNode[]);
  for (const [kind, list] of [
    ['individual', individuals],
    ['entity', entities],
  ] as const) {
    for (const node of list) {
      const id = str(node['DATAID']);
      const primary = ['FIRST_NAME', 'SECOND_NAME', 'THIRD_NAME', 'FOURTH_NAME']
        .map((k) => str(node[k]))
        .filter((v): v is string => v !== null)
        .join(' ');
      if (!id || !primary) return { ok: false, error: `UN list: an ${kind} without DATAID or name` };
      const names = [primary];
      const original = str(node['NAME_ORIGINAL_SCRIPT']);
      if (original) names.push(original);
      const aliasTag = kind === 'individual' ? 'INDIVIDUAL_ALIAS' : 'ENTITY_ALIAS';
      for (const a of asArray(node[aliasTag] as XmlNode[])) {
        const alias = str(a['ALIAS_NAME']);
        if (alias) names.push(alias);
      }
      const dobs: string[] = [];
      for (const d of asArray(node['INDIVIDUAL_DATE_OF_BIRTH'] as XmlNode[])) {
        const date = str(d['DATE']);
        const year = str(d['YEAR']);
        if (date) dobs.push(date.slice(0, 10));
        else if (year) dobs.push(year);
        else {
          const from = Number(str(d['FROM_YEAR']));
          const to = Number(str(d['TO_YEAR']));
          if (Number.isInteger(from) && Number.isInteger(to) && to >= from && to - from < 50)
            for (let y = from; y <= to; y++) dobs.push(String(y));
        }
      }
      const countries = new Set<string>();
      for (const n of asArray((node['NATIONALITY'] as XmlNode | undefined)?.['VALUE'] as unknown[])) {
        const c = str(n);
        if (c) countries.add(c);
      }
      const addressTag = kind === 'individual' ? 'INDIVIDUAL_ADDRESS' : 'ENTITY_ADDRESS';
      for (const a of asArray(node[addressTag] as XmlNode[])) {
        const c = str(a['COUNTRY']);
        if (c) countries.add(c);
      }
      const documents = asArray(node['INDIVIDUAL_DOCUMENT'] as XmlNode[])
        .map((d) => ({
          type: str(d['TYPE_OF_DOCUMENT']) ?? 'document',
          number: str(d['NUMBER']) ?? '',
          country: str(d['ISSUING_COUNTRY']),
        }))
        .filter((d) => d.number !== '');
      parties.push({
        source: 'un_consolidated',
        externalId: id,
        kind,
        names,
        dobs,
        countries: [...countries],
        programs: [str(node['UN_LIST_TYPE']), str(node['REFERENCE_NUMBER'])].filter(
          (v): v is string => v !== null,
        ),
        documents,
        remarks: str(node['COMMENTS1']),
      });
    }
  }
  if (parties.length === 0) return { ok: false, error: 'UN list holds no entries' };
  const attrs = root as Record<string, unknown>;
  return { ok: true, parties, generatedOn: str(attrs['@_dateGenerated']) };
}
