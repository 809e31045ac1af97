import { z } from 'zod';

export const MAX_CONTENT = 16_000;
export const MAX_ATTACHMENTS = 10;

const content = z.string().max(MAX_CONTENT * 2, `must be at most ${MAX_CONTENT} characters`);

/** A send, over REST or WebSocket: content 1–16000 after trimming, or empty with attachments. */
export const sendInputSchema = z
  .object({
    content: z.string().max(MAX_CONTENT * 2, `must be at most ${MAX_CONTENT} characters`).default(''),
    replyTo: z.string().min(1).max(64, 'must be at most 64 characters').nullable().optional(),
    attachments: z.array(z.string().min(1).max(64)).max(MAX_ATTACHMENTS, `at most ${MAX_ATTACHMENTS} attachments`).optional(),
    clientId: z.string().min(1, 'must not be empty').max(64, 'must be at most 64 characters').nullable().optional(),
  })
  .transform((b) => ({ ...b, content: b.content.trim() }))
  .superRefine((b, ctx) => {
    if (b.content.length > MAX_CONTENT) ctx.addIssue({ code: 'custom', path: ['content'], message: `must be at most ${MAX_CONTENT} characters` });
    if (b.content.length === 0 && !(b.attachments?.length)) ctx.addIssue({ code: 'custom', path: ['content'], message: 'must not be empty (unless the message has attachments)' });
    if (b.attachments && new Set(b.attachments).size !== b.attachments.length) ctx.addIssue({ code: 'custom', path: ['attachments'], message: 'must not repeat an upload' });
  });

export type SendInput = z.infer<typeof sendInputSchema>;

export const editBody = z.object({ content }).transform((b) => ({ content: b.content.trim() })).superRefine((b, ctx) => {
  if (b.content.length > MAX_CONTENT) ctx.addIssue({ code: 'custom', path: ['content'], message: `must be at most ${MAX_CONTENT} characters` });
});

const seqParam = z.coerce.number().int('must be an integer').min(0, 'must be >= 0').max(Number.MAX_SAFE_INTEGER);
export const historyQuery = z
  .object({
    before: seqParam.optional(),
    after: seqParam.optional(),
    limit: z.coerce.number().int('must be an integer').min(1, 'must be 1-200').max(200, 'must be 1-200').default(50),
  })
  .refine((q) => q.before === undefined || q.after === undefined, { message: 'use either before or after, not both', path: ['before'] });

export const hashParam = z.string().regex(/^[0-9a-fA-F]{64}$/, 'must be a full 64-hex hash').transform((h) => h.toLowerCase());
