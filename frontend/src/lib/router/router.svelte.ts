import { createContext, type Component } from 'svelte';

/** Who may open a page. `visitor`: only people who are not signed in (sign-in, sign-up). */
export type Access = 'anyone' | 'visitor' | 'signed-in' | 'applicant' | 'member' | 'moderator' | 'admin';

export interface Route {
  path: string;
  title: string;
  component: Component;
  access?: Access;
}

/**
 * A small history-API router: the path is reactive state, links are plain `<a href>` elements and
 * a single click handler turns same-origin clicks into `navigate` calls.
 */
export class Router {
  #path = $state(window.location.pathname);
  #search = $state(window.location.search);
  readonly #routes: Route[];
  readonly #fallback: Route;

  constructor(routes: Route[], fallback: Route) {
    this.#routes = routes;
    this.#fallback = fallback;
    window.addEventListener('popstate', () => {
      this.#path = window.location.pathname;
      this.#search = window.location.search;
    });
  }

  get path(): string {
    return this.#path;
  }

  /** The query string, with its `?` ('' when there is none). */
  get search(): string {
    return this.#search;
  }

  /** One query parameter of the current address. */
  param(name: string): string | null {
    return new URLSearchParams(this.#search).get(name);
  }

  get current(): Route {
    return this.#routes.find((route) => route.path === this.#path) ?? this.#fallback;
  }

  navigate(target: string): void {
    const url = new URL(target, window.location.href);
    if (url.pathname === this.#path && url.search === window.location.search) return;
    window.history.pushState({}, '', url.pathname + url.search + url.hash);
    this.#path = url.pathname;
    this.#search = url.search;
  }

  /** Like `navigate`, without a new history entry (redirects). */
  replace(target: string): void {
    const url = new URL(target, window.location.href);
    window.history.replaceState({}, '', url.pathname + url.search + url.hash);
    this.#path = url.pathname;
    this.#search = url.search;
  }

  /** Document-level click handler: only plain left clicks on same-origin links without a target. */
  handleClick = (event: MouseEvent): void => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const anchor = (event.target as Element | null)?.closest?.('a');
    if (!anchor || anchor.target || anchor.hasAttribute('download') || anchor.getAttribute('rel')?.includes('external')) return;
    const url = new URL(anchor.href, window.location.href);
    if (url.origin !== window.location.origin || url.pathname.startsWith('/api/')) return;
    // A fragment link within this page (the skip link): the browser scrolls to and focuses the target.
    if (url.hash && url.pathname === window.location.pathname && url.search === window.location.search) return;
    event.preventDefault();
    this.navigate(url.pathname + url.search + url.hash);
  };
}

/** The app's router, for pages that navigate (set once by App.svelte). */
export const [getRouter, setRouter] = createContext<Router>();
