import { z } from 'zod';

/**
 * Building blocks for request schemas. Every string an API accepts goes through `text()`:
 * neither engine stores NUL characters faithfully, so they are refused at the edge.
 */
export function text(options: { min?: number; max: number }) {
  return z
    .string()
    .min(options.min ?? 0)
    .max(options.max, `must be at most ${options.max} characters`)
    .refine((value) => !value.includes('\u0000'), 'must not contain NUL characters');
}
