import { createContext, type Component } from 'svelte';

/** Who may open a page. `visitor`: only people who are not signed in (sign-in, sign-up). */
export type Access = 'anyone' | 'visitor' | 'signed-in' | 'applicant' | 'member' | 'moderator' | 'admin';

export interface Route {
  /** Exact, or with `:name` segments (`/channels/:id`), whose values `Router.params` gives. */
  path: string;
  title: string;
  page: LazyPage;
  access?: Access;
}

/**
 * A page whose code is its own chunk, fetched the first time the page is opened (or a link to it is
 * pointed at), so the first load carries only the shell and one page. `load()` is idempotent; a
 * failed fetch (offline, or a deploy replaced the chunk) is kept as `error` until `retry()`.
 */
export class LazyPage {
  readonly #load: () => Promise<{ default: Component }>;
  #component = $state<Component | null>(null);
  #error = $state<string | null>(null);
  #pending: Promise<void> | null = null;

  constructor(load: () => Promise<{ default: Component }>) {
    this.#load = load;
  }

  get component(): Component | null {
    return this.#component;
  }

  get error(): string | null {
    return this.#error;
  }

  load(): Promise<void> {
    if (this.#component || this.#error) return Promise.resolve();
    this.#pending ??= this.#load().then(
      (module) => {
        this.#component = module.default;
      },
      (error: unknown) => {
        this.#pending = null;
        this.#error = error instanceof Error ? error.message : String(error);
      },
    );
    return this.#pending;
  }

  /** Forgets a failed fetch and tries again. */
  retry(): Promise<void> {
    this.#error = null;
    return this.load();
  }

  /** Fetches ahead of time; a failure here stays silent (opening the page tries again). */
  preload(): void {
    if (this.#component || this.#pending || this.#error) return;
    this.#pending = this.#load().then(
      (module) => {
        this.#component = module.default;
      },
      () => {
        this.#pending = null;
      },
    );
  }
}

/** `lazy(() => import('./pages/X.svelte'))`: each such import is a chunk of its own. */
export const lazy = (load: () => Promise<{ default: Component }>) => new LazyPage(load);

/**
 * A small history-API router: the path is reactive state, links are plain `<a href>` elements and
 * a single click handler turns same-origin clicks into `navigate` calls.
 */
export class Router {
  #path = $state(window.location.pathname);
  /** A title the current page chose (a channel's name), instead of its route's. */
  #title = $state<string | null>(null);
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
    return this.#match.route;
  }

  /** The document title's first part: the page's own, or its route's. */
  get title(): string {
    return this.#title ?? this.current.title;
  }

  /** A page names itself (once it knows what it shows); undo with `clearTitle(title)`. */
  setTitle(title: string): void {
    this.#title = title;
  }

  /** Drops `title` if it is still the one set (a newer page's title stays). */
  clearTitle(title: string): void {
    if (this.#title === title) this.#title = null;
  }

  /** The values of the current route's `:name` segments. */
  get params(): Record<string, string> {
    return this.#match.params;
  }

  #match = $derived.by((): { route: Route; params: Record<string, string> } => {
    for (const route of this.#routes) {
      const params = matchPath(route.path, this.#path);
      if (params) return { route, params };
    }
    return { route: this.#fallback, params: {} };
  });

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

  /** The route a same-origin path would open (the fallback when none matches). */
  routeFor(path: string): Route {
    for (const route of this.#routes) if (matchPath(route.path, path)) return route;
    return this.#fallback;
  }

  /** Document-level pointer/focus handler: a link about to be followed fetches its page's code. */
  handleIntent = (event: Event): void => {
    const anchor = (event.target as Element | null)?.closest?.('a');
    if (!anchor || anchor.target || anchor.hasAttribute('download')) return;
    const url = new URL(anchor.href, window.location.href);
    if (url.origin !== window.location.origin || url.pathname.startsWith('/api/')) return;
    this.routeFor(url.pathname).page.preload();
  };

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

/** The `:name` values when `path` fits `pattern`, else null. A segment never matches an empty string. */
export function matchPath(pattern: string, path: string): Record<string, string> | null {
  if (!pattern.includes(':')) return pattern === path ? {} : null;
  const want = pattern.split('/');
  const have = path.split('/');
  if (want.length !== have.length) return null;
  const params: Record<string, string> = {};
  for (const [index, segment] of want.entries()) {
    const value = have[index]!;
    if (segment.startsWith(':')) {
      if (!value) return null;
      try {
        params[segment.slice(1)] = decodeURIComponent(value);
      } catch {
        return null;
      }
    } else if (segment !== value) {
      return null;
    }
  }
  return params;
}

/** The app's router, for pages that navigate (set once by App.svelte). */
export const [getRouter, setRouter] = createContext<Router>();
