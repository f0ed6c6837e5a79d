import { api, getToken } from '../api/client';

/**
 * What the register shows on the customer display, and how it gets there. Same machine:
 * BroadcastChannel. Another device: the register also relays each state through the server to
 * displays paired with a code (see display-app.tsx). The display must follow within 200 ms.
 */
export interface DisplayLine {
  name: string;
  nameZh: string | null;
  quantity: number;
  unit: string;
  total: number;
}

/** A campaign slide shown while the display is idle (modules/marketing). */
export interface DisplaySlide {
  id: string;
  mediaKind: 'image' | 'video' | 'text';
  mediaUrl: string | null;
  text: string | null;
  textZh: string | null;
}

/** A product suggested for the cart ("you may also like"). */
export interface DisplaySuggestion {
  name: string;
  nameZh: string | null;
  price: number;
}

/** "Add 1 × Latte: save 16.00" — a promotion the cart nearly gets, priced by the promotions engine. */
export interface DisplayOffer {
  /** the item to add, in both languages */
  name: string;
  nameZh: string | null;
  quantity: number;
  /** the promotion's name */
  promotion: string;
  promotionZh: string | null;
  /** what the promotion then takes off, minor units */
  saving: number;
  bonusPoints: number;
}

export type DisplayState =
  | { kind: 'idle'; storeName: string; slides?: DisplaySlide[] }
  | {
      kind: 'cart';
      currency: string;
      lines: DisplayLine[];
      subtotal: number;
      discountTotal: number;
      taxTotal: number;
      total: number;
      /** cart-aware hints ("add one more for 20% off") from the campaigns of the items in the cart */
      hints?: { text: string; textZh: string | null }[];
      /** promotions the cart nearly gets: what to add and what it saves (offline too) */
      offers?: DisplayOffer[];
      /** frequently bought with this cart (insights recommendations), priced in this store */
      suggestions?: DisplaySuggestion[];
    }
  | {
      kind: 'paying';
      currency: string;
      total: number;
      paid: number;
      qr: string | null;
      /** the shopper may add a tip: percent presets (basis points) of `base`, or an amount */
      tip?: { base: number; presetsBp: number[]; chosen: number } | null;
    }
  | {
      kind: 'thanks';
      currency: string;
      total: number;
      change: number;
      /** the sale's e-receipt token: the display offers feedback with it */
      receiptToken?: string | null;
    };

/** What travels on the channel and the server stream: the state and the register's Date.now(). */
export interface DisplayMessage {
  at: number;
  state: DisplayState;
}

/** A display that just opened asks the register on the same machine for its latest state. */
export interface DisplayHello {
  hello: true;
}

/** The shopper's tip choice, sent from the display back to the register on the same machine. */
export interface DisplayTip {
  tip: number;
}

export function isDisplayTip(data: unknown): data is DisplayTip {
  const tip = (data as DisplayTip | null)?.tip;
  return typeof tip === 'number' && Number.isSafeInteger(tip) && tip >= 0;
}

/** Sends the tip the shopper chose to the register (same machine). */
export function sendTip(registerId: string, tip: number): void {
  const channel = new BroadcastChannel(channelName(registerId));
  channel.postMessage({ tip } satisfies DisplayTip);
  channel.close();
}

export function isDisplayMessage(data: unknown): data is DisplayMessage {
  return (
    typeof data === 'object' &&
    data !== null &&
    typeof (data as DisplayMessage).at === 'number' &&
    typeof (data as DisplayMessage).state === 'object' &&
    (data as DisplayMessage).state !== null
  );
}

export interface DisplayPublisher {
  publish(state: DisplayState): void;
  close(): void;
}

export interface DisplayPublisherOptions {
  /**
   * Also relay each state through the server to displays paired on other devices (default true).
   * Needs the signed-in token (`setToken`); without one, or offline, only this machine is served.
   */
  relay?: boolean;
}

export function channelName(registerId: string): string {
  return `opentill-display-${registerId}`;
}

/**
 * Publishes to displays on this machine (BroadcastChannel) and relays to displays paired on other
 * devices through the server. Relaying never slows the register: at most one request is in flight
 * and only the newest waiting state is sent after it.
 */
export function displayPublisher(
  registerId: string,
  options: DisplayPublisherOptions = {},
): DisplayPublisher {
  const channel = new BroadcastChannel(channelName(registerId));
  let last: DisplayMessage | null = null;
  channel.onmessage = (event: MessageEvent<unknown>) => {
    if ((event.data as DisplayHello | null)?.hello === true && last) channel.postMessage(last);
  };
  const relay = options.relay === false ? null : serverRelay(registerId);
  return {
    publish: (state) => {
      last = { at: Date.now(), state };
      channel.postMessage(last);
      relay?.send(last);
    },
    close: () => {
      channel.close();
      relay?.close();
    },
  };
}

function serverRelay(registerId: string) {
  let inFlight = false;
  let waiting: DisplayMessage | null = null;
  let pausedUntil = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let closed = false;

  async function pump(): Promise<void> {
    if (inFlight || closed || !waiting) return;
    if (!getToken()) {
      waiting = null;
      return;
    }
    const wait = pausedUntil - Date.now();
    if (wait > 0) {
      timer ??= setTimeout(() => {
        timer = null;
        void pump();
      }, wait);
      return;
    }
    const message = waiting;
    waiting = null;
    inFlight = true;
    const result = await api('POST', `/display/${encodeURIComponent(registerId)}/state`, message);
    inFlight = false;
    // offline: keep the newest state and try again a little later; other errors drop this state
    if (!result.ok && result.error.status === 0) {
      pausedUntil = Date.now() + 5000;
      waiting ??= message;
    }
    void pump();
  }

  return {
    send(message: DisplayMessage) {
      waiting = message;
      void pump();
    },
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
    },
  };
}
