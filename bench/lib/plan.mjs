import { range, tokenFor, userId } from './seed.mjs';

// Sizes for full and quick runs, and the rooms/members every scenario uses. Users 0..999 are the
// chat members (A shapes), 1000..1999 the AI viewers, so concurrent groups never share a user.
export const FULL = {
  warmupMs: 1000, durationMs: 3000, drainMs: 5000,
  aPoints: ['A1-open-30', 'A1-open-300', 'A1-open-1000', 'A1-closed', 'A2-closed', 'A3-open-30'],
  restSecs: 5, historyRows: 1_000_000, historySecs: 4, c4Rate: 500, cPoints: ['C1-random', 'C2-newest', 'C3-oldest', 'C4'], loginFloor: true,
  loginRates: [0, 2, 4, 8], loginPhaseMs: 5000, overloadMs: 3000,
  aiTokens: 200, aiCases: ['E1', 'E2', 'E3', 'E4', 'E5'],
  idleSockets: 10_000, idleWaitMs: 5000, livenessMs: 2000,
};
export const QUICK = {
  warmupMs: 400, durationMs: 1200, drainMs: 3000,
  aPoints: ['A1-open-300', 'A1-closed', 'A2-closed'],
  restSecs: 1, historyRows: 20_000, historySecs: 1, c4Rate: 200, cPoints: ['C1-random', 'C2-newest'], loginFloor: false,
  loginRates: [0, 4], loginPhaseMs: 1200, overloadMs: 1000,
  aiTokens: 40, aiCases: ['E1', 'E5'],
  idleSockets: 500, idleWaitMs: 500, livenessMs: 1000,
};

/** Room id → member user indexes for the chat database (dbA). */
export function chatRooms(sizes) {
  const rooms = { rA1: range(0, 100), rA3: range(0, 1000), rB2: range(0, 10), rE1: range(1000, 100), rE2: range(1000, 1000), rE5: range(1000, 10) };
  for (let i = 0; i < 50; i++) rooms[`rA2_${i}`] = range(10 * i, 10);
  for (let i = 0; i < 10; i++) rooms[`rE3_${i}`] = range(1000 + 100 * i, 100);
  for (let i = 0; i < Math.ceil(sizes.idleSockets / 100); i++) rooms[`rF_${i}`] = range(100 * i, 100);
  return rooms;
}

export const userCount = (sizes) => Math.max(2000, sizes.idleSockets);

/**
 * A load shape: which users connect, which rooms each joins, who sends where. `auth` maps a user
 * index to the token the target expects (a JWT for ours, the bare user id for the floors).
 */
export function shape(name, auth, sizes) {
  const member = (rooms) => rooms.flatMap(([roomId, users]) => users.map((u) => ({ token: auth(u), rooms: [roomId] })));
  const rooms = chatRooms(sizes);
  const pick = (ids) => ids.map((id) => [id, rooms[id]]);
  const oneSenderPerRoom = (ids) => ids.map((id, k) => ({ client: ids.slice(0, k).reduce((a, r) => a + rooms[r].length, 0), roomId: id, members: rooms[id].length }));
  switch (name) {
    case 'A1':
      return { clients: member(pick(['rA1'])), senders: range(0, 10).map((c) => ({ client: c, roomId: 'rA1', members: 100 })) };
    case 'A2': {
      const ids = range(0, 50).map((i) => `rA2_${i}`);
      return { clients: member(pick(ids)), senders: oneSenderPerRoom(ids) };
    }
    case 'A3':
      return { clients: member(pick(['rA3'])), senders: [{ client: 0, roomId: 'rA3', members: 1000 }] };
    case 'B2':
      return { clients: member(pick(['rB2'])), senders: [] };
    case 'F': {
      const ids = range(0, Math.ceil(sizes.idleSockets / 100)).map((i) => `rF_${i}`);
      return { clients: member(pick(ids)), senders: oneSenderPerRoom(ids).slice(0, 10) };
    }
    case 'E1': case 'E4':
      return aiShape(pick(['rE1']), member);
    case 'E2':
      return aiShape(pick(['rE2']), member);
    case 'E3':
      return aiShape(pick(range(0, 10).map((i) => `rE3_${i}`)), member);
    case 'E5':
      return aiShape(pick(['rE5']), member);
    default:
      throw new Error(`unknown shape ${name}`);
  }
}

function aiShape(pairs, member) {
  let at = 0;
  const triggers = pairs.map(([roomId, users]) => {
    const t = { client: at, roomId };
    at += users.length;
    return t;
  });
  return { clients: member(pairs), triggers, viewers: at, rooms: pairs.map(([id]) => id) };
}

export const oursAuth = (u) => tokenFor(u);
export const floorAuth = (u) => userId(u);
