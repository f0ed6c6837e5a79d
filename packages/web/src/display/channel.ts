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

export type DisplayState =
  | { kind: 'idle'; storeName: string }
  | {
      kind: 'cart';
      currency: string;
      lines: DisplayLine[];
      subtotal: number;
      discountTotal: number;
      taxTotal: number;
      total: number;
    }
  | { kind: 'paying'; currency: string; total: number; paid: number; qr: string | null }
  | { kind: 'thanks'; currency: string; total: number; change: number };

export interface DisplayPublisher {
  publish(state: DisplayState): void;
  close(): void;
}

export function channelName(registerId: string): string {
  return `opentill-display-${registerId}`;
}

/** Publishes to displays on this machine; the display helper adds the server relay. */
export function displayPublisher(registerId: string): DisplayPublisher {
  const channel = new BroadcastChannel(channelName(registerId));
  return {
    publish: (state) => channel.postMessage({ at: Date.now(), state }),
    close: () => channel.close(),
  };
}
