/**
 * The token of a mailed link travels in the address's fragment (`#token=…`), which browsers never
 * send to a server. Read it once, then drop it from the address bar and the history.
 */
export function takeLinkToken(): string {
  const match = /(?:^#|&)token=([A-Za-z0-9_-]+)/.exec(window.location.hash);
  if (window.location.hash) history.replaceState(history.state, '', window.location.pathname + window.location.search);
  return match?.[1] ?? '';
}
