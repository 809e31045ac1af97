import type { Db } from '../../db/schema.js';
import type { RoomChangeFrame } from '../../realtime/frames.js';
import { findRoom, oldestRoomEventSeq, roomEventsAfter } from './repo.js';

/** Replays at most this many frames in one room_joined; a longer gap is a resync. */
export const MAX_REPLAY = 500;

/**
 * Reads the per-room change log for reconnecting clients. The log keeps the newest ROOM_LOG_KEEP
 * changes per room; when a client's lastSeq is older than that (or the gap is longer than
 * MAX_REPLAY, or the seq is unknown) it gets `resync: true` and must reload through REST.
 */
export class RoomLog {
  constructor(private readonly db: Db) {}

  async since(roomId: string, lastSeq: number): Promise<{ frames: RoomChangeFrame[]; resync: boolean; lastSeq: number }> {
    const room = await findRoom(this.db, roomId);
    const current = room?.last_seq ?? 0;
    if (lastSeq >= current) return { frames: [], resync: lastSeq > current, lastSeq: current };
    const oldest = await oldestRoomEventSeq(this.db, roomId);
    if (oldest === null || oldest > lastSeq + 1 || current - lastSeq > MAX_REPLAY) {
      return { frames: [], resync: true, lastSeq: current };
    }
    const rows = await roomEventsAfter(this.db, roomId, lastSeq, MAX_REPLAY);
    return { frames: rows.map((r) => JSON.parse(r.frame) as RoomChangeFrame), resync: false, lastSeq: rows.at(-1)?.seq ?? current };
  }
}
