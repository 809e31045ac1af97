import type { TestServer } from './testServer.js';

/** Creates a room as the given user and returns it. */
export async function buildRoom(s: TestServer, token: string, body: Record<string, unknown> = {}): Promise<any> {
  const res = await s.api('POST', '/api/rooms', { token, body: { name: 'Test room', ...body } });
  if (res.status !== 201) throw new Error(`create room failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.room;
}

/** Adds a user to a room through a real invite link. */
export async function addMember(s: TestServer, ownerToken: string, roomId: string, memberToken: string): Promise<void> {
  const inv = await s.api('POST', '/api/invites', { token: ownerToken, body: { roomId } });
  if (inv.status !== 201) throw new Error(`invite failed: ${inv.status} ${JSON.stringify(inv.body)}`);
  const acc = await s.api('POST', `/api/invites/${inv.body.invite.token}/accept`, { token: memberToken });
  if (acc.status !== 200) throw new Error(`accept failed: ${acc.status} ${JSON.stringify(acc.body)}`);
}

/** Sends a message over REST and returns it. */
export async function postMessage(s: TestServer, token: string, roomId: string, content: string, extra: Record<string, unknown> = {}): Promise<any> {
  const res = await s.api('POST', `/api/rooms/${roomId}/messages`, { token, body: { content, ...extra } });
  if (res.status !== 201) throw new Error(`send failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.message;
}
