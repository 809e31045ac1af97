import { z } from 'zod';

export const username = z
  .string()
  .min(3, 'must be 3-32 characters')
  .max(32, 'must be 3-32 characters')
  .regex(/^[A-Za-z0-9_.-]+$/, 'may contain only A-Z a-z 0-9 _ . -');
export const password = z.string().min(8, 'must be 8-1024 characters').max(1024, 'must be 8-1024 characters');
export const displayName = z
  .string()
  .trim()
  .min(1, 'must be 1-64 characters')
  .max(64, 'must be 1-64 characters')
  .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), 'must not contain control characters');

export const registerBody = z.object({ username, password, displayName: displayName.optional() });
export const loginBody = z.object({
  username: z.string().min(1, 'is required').max(64, 'is too long'),
  password: z.string().min(1, 'is required').max(1024, 'is too long'),
});
export const profileBody = z
  .object({
    displayName: displayName.optional(),
    currentPassword: z.string().max(1024, 'is too long').optional(),
    newPassword: password.optional(),
  })
  .refine((b) => !b.newPassword || b.currentPassword !== undefined, {
    message: 'is required to change the password',
    path: ['currentPassword'],
  });
