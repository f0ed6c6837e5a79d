import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCsv, parseOfacSdn, parseUnConsolidated } from './formats';
import { ScreeningIndex } from './screen-index';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

describe('OFAC SDN legacy CSV', () => {
  const parsed = parseOfacSdn({ sdn: fixture('sdn.csv'), alt: fixture('alt.csv'), add: fixture('add.csv') });
  it('reads entries, aliases, addresses, programs and DOBs', () => {
    if (!parsed.ok) throw new Error(parsed.error);
    expect(parsed.parties.map((p) => p.externalId)).toEqual(['36001', '36002', '36003', '36004', '36005']);
    const first = parsed.parties[0];
    expect(first?.kind).toBe('individual');
    expect(first?.names).toEqual([
      'QUILLFEATHER, Ostrava Marek',
      'QUILLFEATHER, Ostrava',
      'KVILFEDER, Marek',
    ]);
    expect(first?.dobs).toEqual(['1965-03-15']);
    expect(first?.countries).toEqual(['Estonia']);
    expect(parsed.parties[1]?.kind).toBe('entity');
    expect(parsed.parties[1]?.programs).toEqual(['IRAN', 'SDGT']);
    expect(parsed.parties[2]?.names).toContain('赵明辉');
    expect(parsed.parties[4]?.kind).toBe('vessel');
  });
  it('keeps quoted commas and treats -0- as empty', () => {
    expect(parseCsv('1,"a, b",-0- \r\n2,"say ""hi""",x')).toEqual([
      ['1', 'a, b', '-0- '],
      ['2', 'say "hi"', 'x'],
    ]);
  });
  it('refuses a file without entries or with short rows', () => {
    expect(parseOfacSdn({ sdn: '' }).ok).toBe(false);
    expect(parseOfacSdn({ sdn: '1,"NAME",individual' }).ok).toBe(false);
  });
});

describe('UN consolidated list XML', () => {
  const parsed = parseUnConsolidated(fixture('un-consolidated.xml'));
  it('reads individuals and entities with aliases, DOBs, documents and its date', () => {
    if (!parsed.ok) throw new Error(parsed.error);
    expect(parsed.generatedOn).toBe('2026-10-30T12:00:00.000Z');
    expect(parsed.parties).toHaveLength(3);
    const [tariq, li, lantern] = parsed.parties;
    expect(tariq?.names).toEqual(['TARIQ ABDULFIXTURE NOORANI', 'Tarek Nurani', 'Abu Fixture']);
    expect(tariq?.dobs).toEqual(['1965-03-15']);
    expect(tariq?.documents).toEqual([{ type: 'Passport', number: 'X0000001', country: 'Nowhereland' }]);
    expect(li?.names).toEqual(['LI FIXUN', '李福云']);
    expect(li?.dobs).toEqual(['1970', '1971', '1972']);
    expect(lantern?.kind).toBe('entity');
  });
  it('refuses XML that is not the list', () => {
    expect(parseUnConsolidated('<other/>').ok).toBe(false);
    expect(parseUnConsolidated('<CONSOLIDATED_LIST><INDIVIDUALS>').ok).toBe(false);
  });
});

describe('screening index', () => {
  const ofac = parseOfacSdn({ sdn: fixture('sdn.csv'), alt: fixture('alt.csv'), add: fixture('add.csv') });
  const un = parseUnConsolidated(fixture('un-consolidated.xml'));
  if (!ofac.ok || !un.ok) throw new Error('fixtures do not parse');
  const index = new ScreeningIndex([...ofac.parties, ...un.parties]);
  const top = (name: string, extra: { dob?: string } = {}) => index.screen({ name, ...extra }, 0.85)[0];

  it('finds listed names in another order, case, spelling or script', () => {
    expect(top('Marek Ostrava Quillfeather')?.party.externalId).toBe('36001');
    expect(top('Minghui Zhao')?.party.externalId).toBe('36003');
    expect(top('赵明辉')?.party.externalId).toBe('36003');
    expect(top('Li Fuyun')?.party.externalId).toBe('990002');
    expect(top('Tarek Nourani')?.party.externalId).toBe('990001');
    expect(top('Brightwater Trading')?.party.externalId).toBe('36002');
  });
  it('flags a contradicting DOB and lowers the score', () => {
    const same = index.screen({ name: 'Ostrava Quillfeather', dob: '1965-03-15' }, 0.5)[0];
    const other = index.screen({ name: 'Ostrava Quillfeather', dob: '1990-01-01' }, 0.5)[0];
    expect(same?.dobMatch).toBe(true);
    expect(other?.dobMatch).toBe(false);
    expect((same?.score ?? 0) - (other?.score ?? 0)).toBeCloseTo(0.1, 5);
  });
  it('does not hit ordinary names', () => {
    for (const name of ['Jane Smith', '王小明', 'Carlos Pereira', 'Acme Coffee Ltd']) {
      expect(index.screen({ name }, 0.85)).toEqual([]);
    }
  });
});
