// The meeting's server-sent events: a runner or the hall display gets the view again whenever it
// changed — at once when this process made the change (the engine's notice), within a second when
// another process did (the meeting's version is polled) — and a heartbeat comment meanwhile.
import { eventStream, type EventStream } from './replies';

const POLL_MS = 1000;
const HEARTBEAT_MS = 15_000;
/** A stream ends after a while and the browser reconnects (EventSource does so by itself): no connection outlives a deploy for long. */
const MAX_LIFE_MS = 10 * 60_000;

export interface Follow {
  /** changes whenever the view may have changed; throws when the viewer may no longer follow (a revoked link) */
  fingerprint(): Promise<string>;
  view(): Promise<unknown>;
  subscribe(wake: () => void): () => void;
}

/** Wakes every open stream to end it: a draining server does not wait for its displays to hang up. */
const open = new Set<() => void>();
export function stopStreams(): void {
  for (const end of open) end();
}

export function followMeeting(f: Follow) {
  return eventStream(async (stream: EventStream) => {
    let last = '';
    let beat = Date.now();
    const started = Date.now();
    let wake: () => void = () => {};
    const unsubscribe = f.subscribe(() => wake());
    let ended = false;
    const end = () => {
      ended = true;
      wake();
    };
    open.add(end);
    try {
      while (!ended && !stream.isClosed() && Date.now() - started < MAX_LIFE_MS) {
        let fp: string;
        try {
          fp = await f.fingerprint();
        } catch (err) {
          stream.send('gone', { message: (err as Error).message });
          return;
        }
        if (fp !== last) {
          last = fp;
          stream.send('meeting', await f.view());
          beat = Date.now();
        } else if (Date.now() - beat >= HEARTBEAT_MS) {
          stream.comment('heartbeat');
          beat = Date.now();
        }
        await Promise.race([new Promise((r) => setTimeout(r, POLL_MS)), stream.closed, new Promise<void>((r) => (wake = r))]);
      }
    } finally {
      open.delete(end);
      unsubscribe();
    }
  });
}
