import { z } from 'zod';

export const createInviteBody = z.object({
  roomId: z.string().min(1, 'is required').max(64),
  maxUses: z.number().int('must be an integer').min(1, 'must be 1-1000').max(1000, 'must be 1-1000').nullable().optional(),
  expiresInHours: z.number().int('must be an integer').min(1, 'must be 1-720').max(720, 'must be 1-720').optional(),
});
export const listInvitesQuery = z.object({ roomId: z.string().min(1, 'is required').max(64) });
export const tokenParam = z.string().min(16, 'is not a valid invite token').max(128, 'is not a valid invite token').regex(/^[A-Za-z0-9_-]+$/, 'is not a valid invite token');
export const nostrInviteBody = z.object({
  roomId: z.string().min(1, 'is required').max(64),
  pubkey: z.string().min(1, 'is required').max(512, 'is too long'),
});
