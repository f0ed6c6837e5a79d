import { useEffect, useState } from 'react';
import { channelName, isDisplayMessage, type DisplayHello, type DisplayMessage } from './channel';
import { pairingStillValid } from './pairing';

export type FeedStatus = 'waiting' | 'live' | 'reconnecting' | 'ended';

export interface Feed {
  message: DisplayMessage | null;
  status: FeedStatus;
}

/** One delivery as measured on the display, for the browser tests and the latency report. */
export interface LatencySample {
  /** the register's Date.now() when it published */
  at: number;
  /** Date.now() when the message arrived here */
  received: number;
  /** Date.now() at the first animation frame after React committed it */
  rendered?: number;
}

declare global {
  interface Window {
    __opentillDisplay?: { samples: LatencySample[] };
  }
}

/** Stamps the frame that shows `message` (called by the app after it rendered). */
export function markRendered(message: DisplayMessage): void {
  const sample = window.__opentillDisplay?.samples.findLast((s) => s.at === message.at && !s.rendered);
  if (!sample) return;
  requestAnimationFrame(() => {
    sample.rendered = Date.now();
  });
}

function record(message: DisplayMessage) {
  const probe = (window.__opentillDisplay ??= { samples: [] });
  probe.samples.push({ at: message.at, received: Date.now() });
  if (probe.samples.length > 500) probe.samples.shift();
}

/** Same machine: the register's BroadcastChannel; asks for the latest state when it opens. */
export function useLocalFeed(registerId: string | null): Feed {
  const [feed, setFeed] = useState<Feed>({ message: null, status: 'waiting' });
  useEffect(() => {
    if (!registerId) return;
    const channel = new BroadcastChannel(channelName(registerId));
    channel.onmessage = (event: MessageEvent<unknown>) => {
      if (!isDisplayMessage(event.data)) return;
      const message = event.data;
      record(message);
      setFeed({ message, status: 'live' });
    };
    channel.postMessage({ hello: true } satisfies DisplayHello);
    return () => channel.close();
  }, [registerId]);
  return feed;
}

/**
 * Another device: Server-Sent Events with the display token. EventSource reconnects by itself
 * after network errors; when the server refuses the stream we ask whether the token still holds.
 */
export function useRemoteFeed(token: string | null): Feed {
  // the status belongs to the token it was seen with: a new (renewed) token starts as waiting
  const [feed, setFeed] = useState<Feed & { token?: string }>({ message: null, status: 'waiting' });
  useEffect(() => {
    if (!token) return;
    let source: EventSource | null = null;
    let retry: ReturnType<typeof setTimeout> | null = null;
    let stopped = false;
    const ended = () => {
      source?.close();
      setFeed((f) => ({ ...f, token, status: 'ended' }));
    };
    const open = () => {
      source = new EventSource(`/api/v1/display/stream?token=${encodeURIComponent(token)}`);
      source.onopen = () => setFeed((f) => ({ ...f, token, status: 'live' }));
      source.addEventListener('state', (event) => {
        const data: unknown = JSON.parse((event as MessageEvent<string>).data);
        if (!isDisplayMessage(data)) return;
        record(data);
        setFeed({ message: data, status: 'live', token });
      });
      source.addEventListener('end', ended);
      source.onerror = () => {
        if (stopped) return;
        setFeed((f) => ({ ...f, token, status: 'reconnecting' }));
        if (source?.readyState !== EventSource.CLOSED) return;
        void pairingStillValid(token).then((valid) => {
          if (stopped) return;
          if (!valid) return ended();
          retry = setTimeout(open, 3000);
        });
      };
    };
    open();
    return () => {
      stopped = true;
      source?.close();
      if (retry) clearTimeout(retry);
    };
  }, [token]);
  return feed.token === undefined || feed.token === token
    ? feed
    : { message: feed.message, status: 'waiting' };
}
