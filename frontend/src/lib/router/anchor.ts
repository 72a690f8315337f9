import { tick } from 'svelte';

/**
 * For pages reached through a link to one part of them (`#answer-<id>`, `#comment-<id>`, e.g. from
 * the review queue): returns a function to call after each load, which scrolls to that part and
 * focuses it the first time it is on the page, and never again (later live reloads keep the reader
 * where they are).
 */
export function anchorJump(prefix: string): () => Promise<void> {
  const pattern = new RegExp(`^#${prefix}-[0-9a-f]{24}$`);
  let jumped = false;
  return async () => {
    if (jumped || !pattern.test(window.location.hash)) return;
    jumped = true;
    await tick();
    const target = document.getElementById(window.location.hash.slice(1));
    target?.scrollIntoView({ block: 'start' });
    target?.focus({ preventScroll: true });
  };
}
