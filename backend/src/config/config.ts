import { readFileSync, existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/** The project root: config/ and tools/ are found relative to it, whatever the working directory. */
export const ROOT_DIR = fileURLToPath(new URL('../../../', import.meta.url));

const DEFAULT_SECRET = 'development-only-secret-do-not-use-in-production';

const Environment = z.enum(['development', 'test', 'production']);
export type Environment = z.infer<typeof Environment>;

const LogLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

const Origin = z.url({ protocol: /^https?$/ }).transform((value) => new URL(value).origin);

/** One OpenID Connect identity provider (a ministry's, a company's). */
export const OidcProviderConfig = z.strictObject({
  id: z.string().regex(/^[a-z0-9-]{1,40}$/, 'lower-case letters, digits and - only'),
  name: z.string().min(1).max(80),
  issuer: z.url(),
  authorizationUrl: z.url(),
  tokenUrl: z.url(),
  userInfoUrl: z.url(),
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
});
export type OidcProviderConfig = z.infer<typeof OidcProviderConfig>;

const Minutes = z.number().int().min(1).max(60 * 24 * 30);

/**
 * The support desk's clocks. A removal order's legal deadline, in minutes after the order arrived,
 * per jurisdiction (`default` for any other); the first-response target per urgency, in minutes
 * after the request was opened; how often the deadline job runs.
 */
export const SupportConfig = z.strictObject({
  removalOrderDeadlineMinutes: z
    .record(z.string().regex(/^(default|[A-Z]{2,8})$/, 'jurisdiction codes are capitals (EU, DE, GB) or "default"'), Minutes)
    .refine((value) => value.default !== undefined, 'must name a "default" deadline'),
  firstResponseTargetMinutes: z.strictObject({ low: Minutes, normal: Minutes, high: Minutes, critical: Minutes }),
  deadlineCheckIntervalMs: z.number().int().min(1000).max(3_600_000),
});
export type SupportConfig = z.infer<typeof SupportConfig>;
export const DEFAULT_SUPPORT_CONFIG: SupportConfig = {
  // Regulation (EU) 2021/784: one hour from receipt.
  removalOrderDeadlineMinutes: { default: 60, EU: 60 },
  firstResponseTargetMinutes: { low: 3 * 24 * 60, normal: 24 * 60, high: 4 * 60, critical: 60 },
  deadlineCheckIntervalMs: 30_000,
};

/** An environment variable holding JSON; a value that does not parse is left as text for the schema to refuse. */
function parseJsonText(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** Every setting, its type and its limits. Environment variables are named beside each key. */
export const ConfigSchema = z.object({
  env: Environment,
  host: z.string().min(1),
  port: z.coerce.number().int().min(0).max(65535),
  publicUrl: z.url({ protocol: /^https?$/ }).transform((value) => value.replace(/\/+$/, '')),
  dataDir: z.string().min(1),
  mongodbUri: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\//, 'must start with mongodb:// or mongodb+srv://')
    .optional(),
  databaseName: z.string().regex(/^[A-Za-z0-9_-]{1,60}$/, 'letters, digits, _ and - only (1 to 60)'),
  redisUrl: z.string().regex(/^rediss?:\/\//, 'must start with redis:// or rediss://').optional(),
  sessionSecret: z.string().min(32, 'must be at least 32 characters'),
  ferretdbBinary: z.string().min(1),
  logLevel: LogLevel,
  trustProxy: z.union([z.boolean(), z.number().int().min(0).max(10)]),
  jsonBodyLimit: z.string().regex(/^\d+(kb|mb)$/),
  shutdownTimeoutMs: z.coerce.number().int().min(100).max(60_000),
  allowedOrigins: z.array(Origin),
  oidcProviders: z.array(OidcProviderConfig),
  /** Messages per storage block (DESIGN: bounded collections for the embedded engine). */
  messageBlockSize: z.coerce.number().int().min(10).max(100_000),
  /** The in-memory cache of hot documents (cache/): on unless turned off (to measure without it). */
  cache: z.union([z.boolean(), z.enum(['on', 'off', 'true', 'false']).transform((value) => value === 'on' || value === 'true')]),
  /** Memory the cache may take, in MiB, shared out among its entities. */
  cacheMaxMb: z.coerce.number().int().min(8).max(65_536),
  /** Posting limit per member: a burst, then one message per interval. */
  postingBurst: z.coerce.number().int().min(1).max(10_000),
  postingIntervalMs: z.coerce.number().int().min(1).max(600_000),
  /** Outgoing mail (see mail/). Unset: the server starts a mail server of its own on loopback (not in production). */
  smtpUrl: z.string().regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://').optional(),
  /** Allow SMTP without TLS in production (a relay on the same host). */
  smtpAllowInsecure: z.union([z.boolean(), z.enum(['true', 'false']).transform((value) => value === 'true')]),
  mailFrom: z.string().min(3).max(200),
  dkimDomain: z.string().min(1).optional(),
  dkimSelector: z.string().min(1).optional(),
  /** A PEM private key, or a path to one. */
  dkimPrivateKey: z.string().min(1).optional(),
  /** The support desk's deadlines and targets (see SupportConfig). */
  support: z.preprocess(parseJsonText, SupportConfig).default(DEFAULT_SUPPORT_CONFIG),
  /** Yearly re-verification: an affiliation holds this many days after it was confirmed… */
  reverifyAfterDays: z.coerce.number().int().min(1).max(3650),
  /** …the member is asked this many days before it runs out… */
  reverifyNoticeDays: z.coerce.number().int().min(1).max(365),
  /** …and loses access this many days after, unless confirmed. */
  reverifyGraceDays: z.coerce.number().int().min(0).max(365),
  /** Notification mail marked "immediate" goes out once a member has had no live socket for this long. */
  notifyAwayMinutes: z.coerce.number().int().min(0).max(1440),
});
export type Config = z.infer<typeof ConfigSchema>;

/** Which environment variable sets which key; also how the error message names the culprit. */
const ENV_VARS: Partial<Record<keyof Config, string>> = {
  env: 'NODE_ENV',
  host: 'HOST',
  port: 'PORT',
  publicUrl: 'PUBLIC_URL',
  dataDir: 'DATA_DIR',
  mongodbUri: 'MONGODB_URI',
  databaseName: 'DB_NAME',
  redisUrl: 'REDIS_URL',
  sessionSecret: 'SESSION_SECRET',
  ferretdbBinary: 'FERRETDB_BIN',
  logLevel: 'LOG_LEVEL',
  trustProxy: 'TRUST_PROXY',
  allowedOrigins: 'ALLOWED_ORIGINS',
  oidcProviders: 'OIDC_PROVIDERS',
  messageBlockSize: 'MESSAGE_BLOCK_SIZE',
  cache: 'CACHE',
  cacheMaxMb: 'CACHE_MAX_MB',
  postingBurst: 'POSTING_BURST',
  postingIntervalMs: 'POSTING_INTERVAL_MS',
  smtpUrl: 'SMTP_URL',
  smtpAllowInsecure: 'SMTP_ALLOW_INSECURE',
  mailFrom: 'MAIL_FROM',
  dkimDomain: 'DKIM_DOMAIN',
  dkimSelector: 'DKIM_SELECTOR',
  dkimPrivateKey: 'DKIM_PRIVATE_KEY',
  support: 'SUPPORT_CONFIG',
  reverifyAfterDays: 'REVERIFY_AFTER_DAYS',
  reverifyNoticeDays: 'REVERIFY_NOTICE_DAYS',
  reverifyGraceDays: 'REVERIFY_GRACE_DAYS',
  notifyAwayMinutes: 'NOTIFY_AWAY_MINUTES',
};

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function readJson(file: string): Record<string, unknown> {
  if (!existsSync(file)) return {};
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new ConfigError(`${file} is not valid JSON: ${(error as Error).message}`);
  }
}

function fromEnvironment(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [key, name] of Object.entries(ENV_VARS)) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    if (key === 'trustProxy') values[key] = raw === 'true' ? true : raw === 'false' ? false : Number(raw);
    else if (key === 'allowedOrigins') values[key] = raw.split(',').map((item) => item.trim()).filter(Boolean);
    else if (key === 'oidcProviders') {
      try {
        values[key] = JSON.parse(raw);
      } catch {
        throw new ConfigError('OIDC_PROVIDERS (oidcProviders): must be a JSON array of providers');
      }
    }
    else values[key] = raw;
  }
  return values;
}

/**
 * Reads config/default.json, then config/<NODE_ENV>.json, then environment variables, then
 * `overrides` (tests), validates the result and resolves paths against the project root.
 * Throws ConfigError naming the environment variable of the first bad value.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Record<keyof Config, unknown>> = {}): Config {
  const envName = Environment.safeParse(env.NODE_ENV ?? 'development');
  if (!envName.success) throw new ConfigError(`NODE_ENV must be one of development, test, production (got "${env.NODE_ENV}")`);
  const configDir = join(ROOT_DIR, 'config');
  const merged = {
    ...readJson(join(configDir, 'default.json')),
    ...readJson(join(configDir, `${envName.data}.json`)),
    ...fromEnvironment(env),
    env: envName.data,
    ...overrides,
  };
  const parsed = ConfigSchema.safeParse(merged);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const key = String(issue.path[0] ?? '');
      const variable = ENV_VARS[key as keyof Config];
      return `${variable ? `${variable} (${key})` : key}: ${issue.message}`;
    });
    throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  const config = parsed.data;
  if (config.env === 'production') {
    if (config.sessionSecret === DEFAULT_SECRET) {
      throw new ConfigError('SESSION_SECRET must be set in production: the default secret is public. Use 32+ random characters.');
    }
    if (!config.publicUrl.startsWith('https://')) {
      throw new ConfigError('PUBLIC_URL must be an https:// address in production (session cookies are Secure).');
    }
    if (!config.smtpUrl) throw new ConfigError('SMTP_URL must be set in production: mail (verification, password reset) has to reach people.');
  }
  if ([config.dkimDomain, config.dkimSelector, config.dkimPrivateKey].filter(Boolean).length % 3 !== 0) {
    throw new ConfigError('DKIM_DOMAIN, DKIM_SELECTOR and DKIM_PRIVATE_KEY go together: set all three or none.');
  }
  const fromRoot = (path: string) => (isAbsolute(path) ? path : resolve(ROOT_DIR, path));
  return { ...config, dataDir: fromRoot(config.dataDir), ferretdbBinary: fromRoot(config.ferretdbBinary) };
}
