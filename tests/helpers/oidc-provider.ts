import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A real OpenID provider (the `oidc-provider` package) on loopback, with its development login
 * and consent pages, and a small cookie-keeping HTTP "browser" to walk through them.
 */

/** The claims a test account has, besides `sub` (its login name). */
export type AccountClaims = { email?: string; email_verified?: boolean; name?: string; given_name?: string; family_name?: string };

export interface TestOidcProvider {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Login name (= `sub`) → claims. Tests add the accounts they sign in with. */
  readonly accounts: Map<string, AccountClaims>;
  /** A provider entry for Convene's `oidcProviders`, pointing here. */
  providerConfig(id: string, overrides?: Record<string, string>): Record<string, string>;
  close(): Promise<void>;
}

interface ProviderInstance {
  callback(): (req: IncomingMessage, res: ServerResponse) => void;
}
type ProviderClass = new (issuer: string, configuration: Record<string, unknown>) => ProviderInstance;

/** A port that was free a moment ago: the server under test needs its public URL before it starts. */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve, reject) => probe.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/**
 * oidc-provider prints notices about the development defaults these tests use on purpose (the
 * in-memory store, the login pages, the Node.js version); they are kept out of the test output.
 */
async function withoutProviderNotices<T>(work: () => Promise<T>): Promise<T> {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (!String(args[0]).startsWith('oidc-provider WARNING')) warn(...args);
  };
  try {
    return await work();
  } finally {
    console.warn = warn;
  }
}

export async function startOidcProvider(options: { redirectUris: string[] }): Promise<TestOidcProvider> {
  // @ts-expect-error -- oidc-provider ships no type declarations; ProviderClass says what is used.
  const { default: Provider } = (await withoutProviderNotices(() => import('oidc-provider'))) as { default: ProviderClass };
  const http = createServer();
  await new Promise<void>((resolve, reject) => http.once('error', reject).listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const clientId = 'convene';
  const clientSecret = randomBytes(24).toString('hex');
  const accounts = new Map<string, AccountClaims>();
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

  const provider = await withoutProviderNotices(async () =>
    new Provider(issuer, {
      clients: [
        {
          client_id: clientId,
          client_secret: clientSecret,
          redirect_uris: options.redirectUris,
          grant_types: ['authorization_code'],
          response_types: ['code'],
          // passport-openidconnect (node-oauth) sends the secret in the form body.
          token_endpoint_auth_method: 'client_secret_post',
        },
      ],
      async findAccount(_ctx: unknown, sub: string) {
        const claims = accounts.get(sub);
        return claims ? { accountId: sub, claims: async () => ({ sub, ...claims }) } : undefined;
      },
      claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'given_name', 'family_name'] },
      cookies: { keys: [randomBytes(16).toString('hex')] },
      jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'test', use: 'sig', alg: 'RS256' }] },
      features: { devInteractions: { enabled: true } },
      ttl: { AuthorizationCode: 60, AccessToken: 300, IdToken: 300, Interaction: 600, Session: 600, Grant: 600 },
    }),
  );
  http.on('request', provider.callback());

  return {
    issuer,
    clientId,
    clientSecret,
    accounts,
    providerConfig: (id, overrides = {}) => ({
      id,
      name: `Test provider ${id}`,
      issuer,
      authorizationUrl: `${issuer}/auth`,
      tokenUrl: `${issuer}/token`,
      userInfoUrl: `${issuer}/me`,
      clientId,
      clientSecret,
      ...overrides,
    }),
    async close() {
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

/** Cookies per origin, as a browser keeps them (paths ignored: harmless for these flows). */
class CookieJar {
  readonly #jars = new Map<string, Map<string, string>>();

  header(url: URL): string | undefined {
    const jar = this.#jars.get(url.origin);
    return jar && jar.size > 0 ? [...jar].map(([name, value]) => `${name}=${value}`).join('; ') : undefined;
  }

  store(url: URL, response: Response): void {
    const jar = this.#jars.get(url.origin) ?? new Map<string, string>();
    this.#jars.set(url.origin, jar);
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const at = pair.indexOf('=');
      const name = pair.slice(0, at).trim();
      const expired = attributes.some((attribute) => {
        const [key = '', value = ''] = attribute.trim().split('=');
        return (key.toLowerCase() === 'max-age' && Number(value) <= 0) || (key.toLowerCase() === 'expires' && Date.parse(value) < Date.now());
      });
      if (expired) jar.delete(name);
      else jar.set(name, pair.slice(at + 1).trim());
    }
  }
}

const REDIRECT = new Set([301, 302, 303, 307, 308]);

/**
 * Walks the provider's pages as a person in a browser would, from the authorization URL until the
 * provider redirects to `appOrigin`; returns that URL without following it, so that the test can
 * send it (or a tampered copy) with its own API client. `abort` cancels at the login page.
 */
export async function authorizeAtProvider(authorizationUrl: URL, appOrigin: string, login: string, options: { abort?: boolean } = {}): Promise<URL> {
  const jar = new CookieJar();
  const send = async (url: URL, init: { method?: string; body?: string } = {}) => {
    const cookie = jar.header(url);
    const response = await fetch(url, {
      method: init.method ?? 'GET',
      redirect: 'manual',
      headers: {
        accept: 'text/html',
        ...(cookie ? { cookie } : {}),
        ...(init.body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      body: init.body,
    });
    jar.store(url, response);
    return response;
  };

  let url = authorizationUrl;
  for (let step = 0; step < 20; step++) {
    if (url.origin === appOrigin) return url;
    const response = await send(url);
    if (REDIRECT.has(response.status)) {
      url = new URL(response.headers.get('location')!, url);
      continue;
    }
    const html = await response.text();
    const action = /<form[^>]*\baction="([^"]+)"/.exec(html)?.[1]?.replace(/&amp;/g, '&');
    const prompt = /name="prompt" value="(login|consent)"/.exec(html)?.[1];
    if (response.status !== 200 || !action || !prompt) {
      throw new Error(`unexpected answer from the provider at ${url.pathname}: ${response.status} ${html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').slice(0, 300)}`);
    }
    const submitUrl = new URL(action, url);
    const answer = options.abort
      ? await send(new URL(`${submitUrl.pathname}/abort`, submitUrl))
      : await send(submitUrl, {
          method: 'POST',
          body: new URLSearchParams(prompt === 'login' ? { prompt, login, password: 'any' } : { prompt }).toString(),
        });
    if (!REDIRECT.has(answer.status)) throw new Error(`the provider answered the ${prompt} form with ${answer.status}`);
    url = new URL(answer.headers.get('location')!, submitUrl);
  }
  throw new Error('too many steps at the provider');
}
