import type { ListedParty } from './formats';
import { bestPairsOfTokens, nameForms, phoneticClass, tokenScore } from './name-match';

/**
 * An in-memory index over the names of a list, so screening compares a name with a handful of
 * candidates instead of every entry. Blocking is by token: every indexed token is stored under
 * its deletion neighbourhood (the token with up to one or two characters removed, SymSpell
 * style), so a query token finds the listed tokens within a small edit distance with a few map
 * look-ups. Only entries whose matched tokens could still reach the threshold are fully scored.
 */
export interface ScreeningMatch {
  party: ListedParty;
  /** the listed name (primary or alias) that matched best */
  matchedName: string;
  score: number;
  dobMatch: boolean | null;
  countryMatch: boolean | null;
}

export interface ScreeningQuery {
  name: string;
  aliases?: string[] | undefined;
  dob?: string | null | undefined;
  country?: string | null | undefined;
}

interface Entry {
  party: number;
  name: string;
  text: string[];
  bytes: Uint8Array[];
}

const utf8 = new TextEncoder();
/** A listed token and a query token this far apart (token score) are not worth following. */
const TOKEN_FLOOR = 0.7;
/** Entries whose best possible score is this far below the threshold are not scored. */
const BOUND_MARGIN = 0.1;
/** A DOB that contradicts every listed DOB lowers the score by this much. */
export const DOB_MISMATCH_PENALTY = 0.1;

function deletions(token: string): string[] {
  const depth = token.length >= 5 ? 2 : token.length >= 3 ? 1 : 0;
  const out = new Set<string>([token]);
  let frontier = [token];
  for (let d = 0; d < depth; d++) {
    const next: string[] = [];
    for (const t of frontier) {
      for (let i = 0; i < t.length; i++) {
        const v = t.slice(0, i) + t.slice(i + 1);
        if (!out.has(v)) {
          out.add(v);
          next.push(v);
        }
      }
    }
    frontier = next;
  }
  return [...out];
}

export class ScreeningIndex {
  readonly parties: ListedParty[];
  private entries: Entry[] = [];
  private vocab: string[] = [];
  private vocabBytes: Uint8Array[] = [];
  private vocabIds = new Map<string, number>();
  private postings: number[][] = [];
  private neighbourhood = new Map<string, number[]>();
  private similarCache = new Map<string, { id: number; score: number }[]>();

  constructor(parties: ListedParty[]) {
    this.parties = parties;
    parties.forEach((party, p) => {
      const seen = new Set<string>();
      for (const name of party.names) {
        for (const form of nameForms(name)) {
          if (seen.has(form)) continue;
          seen.add(form);
          const text = form.split(' ');
          const entry = this.entries.length;
          this.entries.push({ party: p, name, text, bytes: text.map((t) => utf8.encode(t)) });
          for (const t of new Set(text)) this.postings[this.tokenId(t)]?.push(entry);
        }
      }
    });
  }

  get size(): number {
    return this.entries.length;
  }

  private tokenId(token: string): number {
    let id = this.vocabIds.get(token);
    if (id !== undefined) return id;
    id = this.vocab.length;
    this.vocab.push(token);
    this.vocabBytes.push(utf8.encode(token));
    this.vocabIds.set(token, id);
    this.postings.push([]);
    for (const d of deletions(token)) {
      const list = this.neighbourhood.get(d);
      if (list) list.push(id);
      else this.neighbourhood.set(d, [id]);
    }
    return id;
  }

  /** Listed tokens close to a query token, with their token score (cached: names repeat). */
  private similar(token: string): { id: number; score: number }[] {
    const cached = this.similarCache.get(token);
    if (cached) return cached;
    const ids = new Set<number>();
    for (const d of deletions(token)) for (const id of this.neighbourhood.get(d) ?? []) ids.add(id);
    const qb = utf8.encode(token);
    const cls = phoneticClass(token);
    const out: { id: number; score: number }[] = [];
    for (const id of ids) {
      const v = this.vocab[id] as string;
      if (phoneticClass(v) !== cls) continue;
      const score = tokenScore(this.vocabBytes[id] as Uint8Array, qb);
      if (score >= TOKEN_FLOOR) out.push({ id, score });
    }
    if (this.similarCache.size > 200_000) this.similarCache.clear();
    this.similarCache.set(token, out);
    return out;
  }

  /** Every listed party whose best name scores at least `threshold` (0..1), best first. */
  screen(query: ScreeningQuery, threshold: number): ScreeningMatch[] {
    const best = new Map<number, { score: number; name: string }>();
    for (const name of [query.name, ...(query.aliases ?? [])]) {
      for (const form of nameForms(name)) {
        const text = form.split(' ');
        const bytes = text.map((t) => utf8.encode(t));
        const total = bytes.reduce((s, b) => s + b.length, 0);
        // entry → length of the query tokens that found it
        const reached = new Map<number, { mask: number; length: number }>();
        text.forEach((t, qi) => {
          const bit = qi < 30 ? 1 << qi : 0;
          for (const { id } of this.similar(t)) {
            for (const e of this.postings[id] ?? []) {
              const r = reached.get(e);
              if (!r) reached.set(e, { mask: bit, length: (bytes[qi] as Uint8Array).length });
              else if (!(r.mask & bit)) {
                r.mask |= bit;
                r.length += (bytes[qi] as Uint8Array).length;
              }
            }
          }
        });
        for (const [e, r] of reached) {
          // best case: every found token matches perfectly a listed token of its own length
          const bound = (2 * r.length) / (total + r.length);
          if (bound < threshold - BOUND_MARGIN) continue;
          const entry = this.entries[e] as Entry;
          const score = bestPairsOfTokens(bytes, entry.bytes, text, entry.text);
          const prev = best.get(entry.party);
          if (!prev || score > prev.score) best.set(entry.party, { score, name: entry.name });
        }
      }
    }
    const matches: ScreeningMatch[] = [];
    for (const [p, { score, name }] of best) {
      const party = this.parties[p] as ListedParty;
      const dobMatch = compareDob(query.dob, party.dobs);
      const countryMatch = compareCountry(query.country, party.countries);
      const adjusted = dobMatch === false ? score - DOB_MISMATCH_PENALTY : score;
      if (adjusted >= threshold)
        matches.push({
          party,
          matchedName: name,
          score: Math.round(adjusted * 1000) / 1000,
          dobMatch,
          countryMatch,
        });
    }
    return matches.sort((a, b) => b.score - a.score);
  }
}

/** null when either side has no DOB; a year-only DOB matches any date in that year. */
function compareDob(dob: string | null | undefined, listed: string[]): boolean | null {
  if (!dob || listed.length === 0) return null;
  return listed.some((l) => (l.length === 4 ? dob.slice(0, 4) === l : dob.slice(0, 10) === l.slice(0, 10)));
}

function compareCountry(country: string | null | undefined, listed: string[]): boolean | null {
  if (!country || listed.length === 0) return null;
  const c = country.trim().toLowerCase();
  return listed.some((l) => l.toLowerCase() === c);
}
