import { z } from 'zod';

const name = z.string().trim().min(1, 'must be 1-100 characters').max(100, 'must be 1-100 characters');
const description = z.string().max(1000, 'must be at most 1000 characters');
const visibility = z.enum(['private', 'public']);
const settings = z
  .object({
    aiMode: z.enum(['mention', 'always', 'off']).optional(),
    model: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters').regex(/^[\w.:/@+-]+$/, 'is not a valid model id').nullable().optional(),
    systemPrompt: z.string().max(8000, 'must be at most 8000 characters').nullable().optional(),
    webSearch: z.boolean().optional(),
  })
  .strict();

export const createRoomBody = z.object({ name, description: description.optional(), visibility: visibility.optional(), settings: settings.optional() });
export const updateRoomBody = z
  .object({ name: name.optional(), description: description.optional(), visibility: visibility.optional(), settings: settings.optional() })
  .refine((b) => Object.values(b).some((v) => v !== undefined), { message: 'nothing to update', path: ['body'] });
export const memberRoleBody = z.object({ role: z.enum(['admin', 'member', 'owner']) });
export const idParam = z.string().min(1).max(64);
