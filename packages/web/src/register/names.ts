import type { CatalogItem } from '../offline/contract';

/** The item's name in the language on screen (Chinese when there is one and zh-CN is chosen). */
export function itemName(item: Pick<CatalogItem, 'name' | 'nameZh'>, language: string): string {
  return language === 'zh-CN' && item.nameZh ? item.nameZh : item.name;
}

export function otherName(item: Pick<CatalogItem, 'name' | 'nameZh'>, language: string): string | null {
  if (!item.nameZh) return null;
  return language === 'zh-CN' ? item.name : item.nameZh;
}
