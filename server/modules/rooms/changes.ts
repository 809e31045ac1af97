import type { DbOrTx } from '../../db/schema.js';
import type { RoomChangeFrame } from '../../realtime/frames.js';
import { insertRoomEvent, pruneRoomEvents, takeNextSeq } from './repo.js';

type Unseq<F> = F extends unknown ? Omit<F, 'seq'> : never;

/**
 * Records one room change inside the caller's transaction: takes the room's next seq, builds the
 * frame with it (the builder may write the change itself, e.g. insert the message with its seq) and appends the frame to the change log. Every `pruneEvery` changes the log is
 * cut to the newest `keep` entries; a client whose lastSeq falls before that must resync.
 */
export async function recordChange<F extends RoomChangeFrame>(
  trx: DbOrTx,
  roomId: string,
  now: string,
  keep: number,
  build: (seq: number) => F | Promise<F>,
  opts: { activity?: boolean } = {},
): Promise<F> {
  const seq = await takeNextSeq(trx, roomId, now, opts.activity ?? false);
  const frame = await build(seq);
  await insertRoomEvent(trx, { room_id: roomId, seq, type: frame.type, frame: JSON.stringify(frame), created_at: now });
  const pruneEvery = Math.max(1, Math.floor(keep / 10));
  if (seq > keep && seq % pruneEvery === 0) await pruneRoomEvents(trx, roomId, seq - keep + 1);
  return frame;
}

/** Builds a frame without its seq (for the `build` callback's readability). */
export function withSeq<F extends RoomChangeFrame>(partial: Unseq<F>) {
  return (seq: number) => ({ ...partial, seq }) as F;
}
