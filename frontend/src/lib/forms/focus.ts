import { tick } from 'svelte';

/**
 * After a failed submit: move focus to the form's error summary, or else to the first field
 * marked invalid, so keyboard and screen-reader users learn what went wrong where.
 */
export async function focusFirstProblem(form: HTMLElement | undefined | null): Promise<void> {
  await tick();
  const target = form?.querySelector<HTMLElement>('.error-summary') ?? form?.querySelector<HTMLElement>('[aria-invalid="true"]');
  target?.focus();
}
