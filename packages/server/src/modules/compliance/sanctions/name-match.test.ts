import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bestPairsJaroWinkler, foldLatin, nameForms, nameScore } from './name-match';

interface Vector {
  indexed: string;
  search: string;
  expected_score: number;
}
const file = JSON.parse(
  readFileSync(new URL('../../../../../../../shared/vectors/name-matching.json', import.meta.url), 'utf8'),
) as { tolerance: number; vectors: Vector[] };

describe('best-pairs Jaro-Winkler (watchman vectors)', () => {
  it('reads all 18 published cases', () => {
    expect(file.vectors).toHaveLength(18);
  });
  for (const v of file.vectors) {
    it(`"${v.search}" against "${v.indexed}" scores ${v.expected_score}`, () => {
      const score = bestPairsJaroWinkler(v.search.split(/\s+/), v.indexed);
      expect(Math.abs(score - v.expected_score)).toBeLessThanOrEqual(file.tolerance);
    });
  }
});

describe('normalised names', () => {
  it('folds case, accents and punctuation', () => {
    expect(foldLatin('  MÜLLER-Lüdenscheidt, José ')).toBe('muller ludenscheidt jose');
    expect(foldLatin('Strauß')).toBe('strauss');
  });
  it('gives Han names their pinyin, surname apart from the given name', () => {
    expect(nameForms('王小明')).toEqual(['wang xiaoming', 'wang xiao ming']);
    expect(nameForms('欧阳娜娜')[0]).toBe('ouyang nana');
    expect(nameForms('张伟')).toEqual(['zhang wei']);
  });
  it('matches across case, accents, word order and Han/pinyin', () => {
    expect(nameScore('jose muller', 'MÜLLER, José')).toBe(1);
    expect(nameScore('Xiaoming Wang', '王小明')).toBe(1);
    expect(nameScore('王小明', 'WANG, Xiaoming')).toBe(1);
    expect(nameScore('Wang Xiao Ming', '王小明')).toBe(1);
    expect(nameScore('Zhang Wei', '张伟')).toBe(1);
    expect(nameScore('Mohamed Karim', 'Muhammed Karim')).toBeGreaterThan(0.85);
    expect(nameScore('Li Wei', '王小明')).toBeLessThan(0.5);
  });
});
