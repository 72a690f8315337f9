import { z } from 'zod';

/**
 * Messages people can read, for the checks zod words for programmers. The field's name comes
 * before the message in every error (`body.reason: must be at least 20 characters`).
 */
z.config({
  customError: (issue) => {
    const limit = Number((issue as { minimum?: unknown; maximum?: unknown }).minimum ?? (issue as { maximum?: unknown }).maximum);
    switch (issue.code) {
      case 'too_small':
        if (issue.origin === 'string') return limit === 1 ? 'must not be empty' : `must be at least ${limit} characters`;
        if (issue.origin === 'array') return `must have at least ${limit} item${limit === 1 ? '' : 's'}`;
        return `must be at least ${limit}`;
      case 'too_big':
        if (issue.origin === 'string') return `must be at most ${limit} characters`;
        if (issue.origin === 'array') return `must have at most ${limit} item${limit === 1 ? '' : 's'}`;
        return `must be at most ${limit}`;
      case 'invalid_type':
        return issue.input === undefined ? 'is required' : `must be a ${issue.expected}`;
      case 'unrecognized_keys':
        return `unknown field${issue.keys.length > 1 ? 's' : ''}: ${issue.keys.join(', ')}`;
      case 'invalid_value':
        return `must be one of: ${issue.values.map(String).join(', ')}`;
      case 'invalid_format':
        return issue.format === 'email' ? 'must be an e-mail address' : 'is not in the expected form';
      default:
        return undefined;
    }
  },
});

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
