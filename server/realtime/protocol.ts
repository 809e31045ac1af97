import { z } from 'zod';
import { sendInputSchema, type SendInput } from '../modules/messages/schema.js';

/**
 * Client → server frames of the WebSocket protocol (API.md), validated at the edge like HTTP
 * bodies. Unknown extra fields are stripped; send_message's body goes through the REST send's
 * own schema, so both paths apply the same rules.
 */
const roomId = z.string().min(1, 'must not be empty').max(64, 'must be at most 64 characters');

const schemas = {
  join_room: z.object({ type: z.literal('join_room'), roomId, lastSeq: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional() }),
  leave_room: z.object({ type: z.literal('leave_room'), roomId }),
  typing: z.object({ type: z.literal('typing'), roomId, isTyping: z.boolean() }),
  send_message: z.object({ type: z.literal('send_message'), roomId }).and(sendInputSchema),
  stop_ai: z.object({ type: z.literal('stop_ai'), roomId }),
  ping: z.object({ type: z.literal('ping') }),
} as const;

export type ClientFrameType = keyof typeof schemas;
export type ClientFrame = { [K in ClientFrameType]: z.infer<(typeof schemas)[K]> }[ClientFrameType];
export type SendMessageFrame = { type: 'send_message'; roomId: string } & SendInput;

/** The `error` frame fields a bad client frame is answered with. */
export interface FrameError {
  code: 'invalid_input';
  message: string;
  requestType?: string;
  clientId?: string;
}

export type ParseResult = { ok: true; frame: ClientFrame } | { ok: false; error: FrameError };

const TYPES = Object.keys(schemas) as ClientFrameType[];

function isTypeName(t: unknown): t is ClientFrameType {
  return typeof t === 'string' && Object.prototype.hasOwnProperty.call(schemas, t);
}

/**
 * Parses one text frame: JSON, then the schema of its `type`. Failures name the first bad field
 * and echo the request type and a usable clientId so the client can match the error.
 */
export function parseClientFrame(raw: string): ParseResult {
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch {
    return { ok: false, error: { code: 'invalid_input', message: 'frame: not valid JSON' } };
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return { ok: false, error: { code: 'invalid_input', message: 'frame: must be a JSON object' } };
  }
  const obj = data as Record<string, unknown>;
  const type = obj.type;
  if (!isTypeName(type)) {
    return { ok: false, error: { code: 'invalid_input', message: `type: must be one of ${TYPES.join(', ')}` } };
  }
  const result = schemas[type].safeParse(obj);
  if (result.success) return { ok: true, frame: result.data as ClientFrame };
  const issue = result.error.issues[0];
  const error: FrameError = { code: 'invalid_input', message: `${issue.path.join('.') || 'frame'}: ${issue.message}`, requestType: type };
  const cid = obj.clientId;
  if (typeof cid === 'string' && cid.length > 0 && cid.length <= 64) error.clientId = cid;
  return { ok: false, error };
}
