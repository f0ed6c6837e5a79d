import { pinyin } from 'pinyin-pro';

/**
 * Name matching for sanctions screening: the token best-pairs Jaro-Winkler used by moov-io's
 * watchman (parameters in `../../../../../../shared/vectors/name-matching.json`), plus the
 * normalisation that makes case, accents, punctuation, word order and Han/pinyin spellings
 * compare equal. Pure functions: no I/O.
 *
 * Strings are compared as UTF-8 bytes, like the reference implementation, so scores for
 * accented input agree with the published vectors.
 */
export const matchParams = {
  boostThreshold: 0.7,
  prefixSize: 4,
  lengthDifferenceCutoff: 0.9,
  lengthDifferencePenalty: 0.3,
  differentLetterPenalty: 0.9,
  unmatchedIndexTokenWeight: 0.15,
} as const;

const utf8 = new TextEncoder();
const bytes = (s: string): Uint8Array => utf8.encode(s);

/** Plain Jaro similarity over bytes (transpositions = half the unaligned matches, floored). */
export function jaro(a: Uint8Array, b: Uint8Array): number {
  if (a.length === 0 && b.length === 0) return 1;
  if (a.length === 0 || b.length === 0) return 0;
  const range = Math.floor(Math.max(a.length, b.length) / 2) - 1;
  const matchedA = new Uint8Array(a.length);
  const matchedB = new Uint8Array(b.length);
  let matches = 0;
  for (let i = 0; i < a.length; i++) {
    const end = Math.min(b.length - 1, i + range);
    for (let j = Math.max(0, i - range); j <= end; j++) {
      if (matchedB[j] || a[i] !== b[j]) continue;
      matchedA[i] = 1;
      matchedB[j] = 1;
      matches++;
      break;
    }
  }
  if (matches === 0) return 0;
  let unaligned = 0;
  let j = 0;
  for (let i = 0; i < a.length; i++) {
    if (!matchedA[i]) continue;
    while (!matchedB[j]) j++;
    if (a[i] !== b[j]) unaligned++;
    j++;
  }
  const transpositions = Math.floor(unaligned / 2);
  return (matches / a.length + matches / b.length + (matches - transpositions) / matches) / 3;
}

export function jaroWinkler(a: Uint8Array, b: Uint8Array): number {
  const j = jaro(a, b);
  if (j <= matchParams.boostThreshold) return j;
  const n = Math.min(a.length, b.length, matchParams.prefixSize);
  let prefix = 0;
  while (prefix < n && a[prefix] === b[prefix]) prefix++;
  return j + 0.1 * prefix * (1 - j);
}

const scaling = (metric: number, weight: number) => 1 - (1 - metric) * weight;

/** Jaro-Winkler with penalties for very different lengths and a different first letter. */
export function tokenScore(a: Uint8Array, b: Uint8Array): number {
  let score = jaroWinkler(a, b);
  const ratio = Math.min(a.length, b.length) / Math.max(a.length, b.length);
  if (ratio < matchParams.lengthDifferenceCutoff)
    score *= scaling(ratio, matchParams.lengthDifferencePenalty);
  if (a[0] !== b[0]) score *= matchParams.differentLetterPenalty;
  return score;
}

/** First-letter phonetic class (a coarse Soundex): tokens of different classes are never compared. */
const phoneticClasses: Record<string, string> = {};
for (const [cls, letters] of Object.entries({
  A: 'AEIOUY',
  B: 'BFPV',
  C: 'CGJKQSXZ',
  D: 'DT',
  L: 'L',
  M: 'MN',
  R: 'R',
  H: 'HW',
}))
  for (const l of letters) phoneticClasses[l] = cls;

export function phoneticClass(token: string): string {
  const first = token.charAt(0).toUpperCase();
  return phoneticClasses[first] ?? first;
}

interface PairScore {
  score: number;
  s: number;
  i: number;
}

/**
 * Scores a search (already split into tokens) against an indexed name: every token pair of the
 * same phonetic class is scored, the best pairs are taken greedily (each token used once),
 * weighted by length, and the result scaled down by the part of the indexed name left unmatched.
 */
export function bestPairsJaroWinkler(searchTokens: readonly string[], indexed: string): number {
  const indexTokens = indexed.split(/\s+/).filter((t) => t.length > 0);
  return bestPairsOfTokens(searchTokens.map(bytes), indexTokens.map(bytes), searchTokens, indexTokens);
}

export function bestPairsOfTokens(
  search: readonly Uint8Array[],
  index: readonly Uint8Array[],
  searchText: readonly string[],
  indexText: readonly string[],
): number {
  let searchLength = 0;
  for (const t of search) searchLength += t.length;
  let indexLength = 0;
  for (const t of index) indexLength += t.length;
  const scores: PairScore[] = [];
  const searchClasses = searchText.map(phoneticClass);
  const indexClasses = indexText.map(phoneticClass);
  for (let s = 0; s < search.length; s++) {
    for (let i = 0; i < index.length; i++) {
      if (searchClasses[s] !== indexClasses[i]) continue;
      scores.push({ score: tokenScore(index[i] as Uint8Array, search[s] as Uint8Array), s, i });
    }
  }
  // stable sort, descending: equal scores keep search-then-index order
  scores.sort((x, y) => y.score - x.score);
  const usedSearch = new Uint8Array(search.length);
  const usedIndex = new Uint8Array(index.length);
  let weighted = 0;
  let matchedIndexLength = 0;
  for (const p of scores) {
    if (usedSearch[p.s] || usedIndex[p.i]) continue;
    const sl = (search[p.s] as Uint8Array).length;
    const il = (index[p.i] as Uint8Array).length;
    weighted += p.score * (sl + il);
    usedSearch[p.s] = 1;
    usedIndex[p.i] = 1;
    matchedIndexLength += il;
  }
  const denominator = searchLength + matchedIndexLength;
  if (denominator === 0 || indexLength === 0) return 0;
  const average = weighted / denominator;
  return average * scaling(matchedIndexLength / indexLength, matchParams.unmatchedIndexTokenWeight);
}

const han = /\p{Script=Han}/u;
/** Two-character Chinese surnames, so the given name is what follows them. */
const compoundSurnames = new Set([
  '欧阳',
  '司马',
  '上官',
  '诸葛',
  '东方',
  '皇甫',
  '尉迟',
  '公孙',
  '慕容',
  '长孙',
  '宇文',
  '司徒',
  '夏侯',
  '令狐',
]);

/** Lower case, no accents (NFKD without marks), punctuation as spaces, ß → ss, Latin only. */
export function foldLatin(s: string): string {
  return s
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/ß/g, 'ss')
    .replace(/[øœæđłı]/g, (c) => ({ ø: 'o', œ: 'oe', æ: 'ae', đ: 'd', ł: 'l', ı: 'i' })[c] ?? c)
    .replace(/[^\p{L}\p{N}\s]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Words that say what kind of party it is, not who: dropped before matching. */
const noiseWords = new Set(['mr', 'mrs', 'ms', 'dr', 'the', 'of', 'and']);

/**
 * The normalised forms a name is matched under. A name in Han characters gives its pinyin twice:
 * surname + given name joined (王小明 → "wang xiaoming", how passports write it) and one token per
 * syllable ("wang xiao ming"); Latin names give one form. Scores take the best form.
 */
export function nameForms(name: string): string[] {
  const trimmed = name.normalize('NFKC').trim();
  if (!han.test(trimmed)) {
    const folded = foldLatin(trimmed)
      .split(' ')
      .filter((t) => t && !noiseWords.has(t))
      .join(' ');
    return folded ? [folded] : [];
  }
  const forms: string[] = [];
  // Han runs become pinyin; any Latin parts stay as they are
  const chunks = trimmed.split(/(\p{Script=Han}+)/u).filter((c) => c.trim().length > 0);
  const perSyllable: string[] = [];
  const joined: string[] = [];
  for (const chunk of chunks) {
    if (!han.test(chunk)) {
      const f = foldLatin(chunk);
      if (f) {
        perSyllable.push(f);
        joined.push(f);
      }
      continue;
    }
    const syllables = pinyin(chunk, { toneType: 'none', type: 'array', surname: 'head' }).map((p) =>
      foldLatin(p).replace(/ /g, ''),
    );
    perSyllable.push(...syllables);
    if (chunk.length >= 2 && chunk.length <= 4) {
      const surnameLength = compoundSurnames.has(chunk.slice(0, 2)) && chunk.length > 2 ? 2 : 1;
      joined.push(syllables.slice(0, surnameLength).join(''), syllables.slice(surnameLength).join(''));
    } else {
      joined.push(syllables.join(''));
    }
  }
  forms.push(joined.filter(Boolean).join(' '));
  const split = perSyllable.filter(Boolean).join(' ');
  if (split !== forms[0]) forms.push(split);
  return forms.filter((f) => f.length > 0);
}

/** Best score of `query` against `listed` over all their normalised forms (0..1). */
export function nameScore(query: string, listed: string): number {
  let best = 0;
  for (const q of nameForms(query)) {
    const tokens = q.split(' ');
    for (const l of nameForms(listed)) best = Math.max(best, bestPairsJaroWinkler(tokens, l));
  }
  return best;
}
