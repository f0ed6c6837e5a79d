import { useEffect, useState } from 'react';
import { api } from '../api/client';
import type { DisplaySlide } from '../display/channel';

export interface ShowingCampaign extends DisplaySlide {
  hint: string | null;
  hintZh: string | null;
  variantIds: string[];
}

const REFRESH_MS = 5 * 60_000;

/**
 * The store's campaigns showing now, refreshed every few minutes while online (the schedule
 * and daily hours are decided by the server in the store's time zone). Offline, the last list stays.
 */
export function useShowingCampaigns(storeId: string): ShowingCampaign[] {
  const [list, setList] = useState<ShowingCampaign[]>([]);
  useEffect(() => {
    let live = true;
    const load = async () => {
      const r = await api<{ items: ShowingCampaign[] }>(
        'GET',
        `/campaigns/showing?storeId=${encodeURIComponent(storeId)}`,
      );
      if (live && r.ok) setList(r.value.items);
    };
    void load();
    const timer = setInterval(() => void load(), REFRESH_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [storeId]);
  return list;
}

/** Hints of the campaigns whose promoted items are in the cart. */
export function cartHints(campaigns: ShowingCampaign[], variantIds: string[]) {
  const inCart = new Set(variantIds);
  return campaigns
    .filter((c) => (c.hint || c.hintZh) && c.variantIds.some((v) => inCart.has(v)))
    .map((c) => ({ text: c.hint ?? c.hintZh ?? '', textZh: c.hintZh }));
}
