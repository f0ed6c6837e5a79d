/** Catalog types shared by the register and the server. */
export type Unit = 'each' | 'kg' | 'g' | 'lb' | 'l' | 'm';

export const UNITS: readonly Unit[] = ['each', 'kg', 'g', 'lb', 'l', 'm'];

/** Whether a quantity in this unit may have decimals (each and g are counted whole). */
export function unitAllowsFraction(unit: Unit): boolean {
  switch (unit) {
    case 'each':
    case 'g':
      return false;
    case 'kg':
    case 'lb':
    case 'l':
    case 'm':
      return true;
  }
}

export type TaxMode = 'inclusive' | 'exclusive';
export type TaxRounding = 'per_line' | 'per_order';

/** A tax rate in parts per million: 13% = 130000, 8.625% = 86250. */
export interface TaxClass {
  id: string;
  name: string;
  ratePpm: number;
}

export interface Category {
  id: string;
  name: string;
  nameZh?: string;
  parentId?: string | null;
}

export interface Variant {
  id: string;
  productId: string;
  sku: string;
  barcodes: string[];
  name: string;
  nameZh?: string;
  unit: Unit;
  taxClassId: string;
  /** Price in minor units by store id (per unit; per kg for weighed goods). */
  prices: Record<string, number>;
  /** Item code for price/weight-embedded barcodes (usually 5 digits). */
  pluCode?: string;
}

export interface Product {
  id: string;
  name: string;
  nameZh?: string;
  categoryId: string | null;
  variants: Variant[];
}
