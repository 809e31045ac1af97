import type { z } from 'zod';
import { errors } from '../errors.js';

/** Parses input with a zod schema; failures become 400 invalid_input naming the first bad field. */
export function validate<S extends z.ZodType>(schema: S, input: unknown, where = 'body'): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => ({ field: i.path.join('.') || where, message: i.message }));
  const first = issues[0];
  throw errors.invalid(`${first.field}: ${first.message}`, { issues });
}
