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

/**
 * After a navigation: focuses the new page's main heading, so keyboard and screen-reader users land
 * on the content. A page whose heading comes later (its code or its data still on the way) is
 * focused when the heading appears, unless the person has moved focus meanwhile. Returns the
 * cleanup for the next navigation.
 */
export function focusHeadingWhenShown(container: HTMLElement): () => void {
  const focusHeading = () => {
    const heading = container.querySelector<HTMLElement>('h1');
    heading?.focus();
    return heading !== null;
  };
  let observer: MutationObserver | undefined;
  let cancelled = false;
  void tick().then(() => {
    if (cancelled || focusHeading()) return;
    const before = document.activeElement;
    observer = new MutationObserver(() => {
      if (document.activeElement !== before || focusHeading()) observer?.disconnect();
    });
    observer.observe(container, { childList: true, subtree: true });
  });
  return () => {
    cancelled = true;
    observer?.disconnect();
  };
}
