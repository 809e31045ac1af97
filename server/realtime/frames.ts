/**
 * Server → client frames of the WebSocket protocol (API.md), defined in server/contract.ts.
 * Room-changing frames carry the change's `seq`; the change log stores them verbatim for replay.
 */
export type { AiStreamSnapshot, RoomChangeFrame, ServerFrame } from '../contract.js';
