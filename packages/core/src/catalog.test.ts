import { describe, expect, it } from 'vitest';
import { UNITS, unitAllowsFraction } from './catalog';

describe('unitAllowsFraction', () => {
  it('counts each and g whole, measures the rest', () => {
    expect(UNITS.filter(unitAllowsFraction)).toEqual(['kg', 'lb', 'l', 'm']);
  });
});
