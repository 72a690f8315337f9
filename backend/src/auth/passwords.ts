import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { m, msg, type Localized } from '../http/locale.ts';

/**
 * Password hashing with scrypt from Node's own crypto (no native add-on to build). Parameters are
 * stored with each hash, so they can be raised later without breaking existing passwords.
 * N=2^15, r=8, p=1: 32 MiB and about 60 ms per hash on this class of machine.
 */
const PARAMS = { N: 2 ** 15, r: 8, p: 1 };
const KEY_LENGTH = 32;

function scrypt(password: string, salt: Buffer, keyLength: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCallback(password.normalize('NFKC'), salt, keyLength, { ...options, maxmem: 128 * (options.N ?? 0) * (options.r ?? 0) * 2 }, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, KEY_LENGTH, PARAMS);
  return `scrypt$${PARAMS.N}$${PARAMS.r}$${PARAMS.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** A hash that never matches, verified when the account does not exist so timing does not tell. */
const DUMMY_HASH = `scrypt$${PARAMS.N}$${PARAMS.r}$${PARAMS.p}$${Buffer.alloc(16).toString('base64')}$${Buffer.alloc(KEY_LENGTH).toString('base64')}`;

export async function verifyPassword(password: string, stored: string | null | undefined): Promise<boolean> {
  const parts = (stored ?? DUMMY_HASH).split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, n, r, p, salt, expected] = parts as [string, string, string, string, string, string];
  const expectedKey = Buffer.from(expected, 'base64');
  const key = await scrypt(password, Buffer.from(salt, 'base64'), expectedKey.length, { N: Number(n), r: Number(r), p: Number(p) });
  return timingSafeEqual(key, expectedKey) && stored !== undefined && stored !== null;
}

let common: Set<string> | undefined;
function commonPasswords(): Set<string> {
  common ??= new Set(
    readFileSync(new URL('../members/common-passwords.txt', import.meta.url), 'utf8')
      .split('\n')
      .filter((line) => line && !line.startsWith('#')),
  );
  return common;
}

export const MIN_PASSWORD_LENGTH = 12;

/**
 * Why a new password is refused, or null. Refused: shorter than 12 characters; a common password,
 * also with digits or punctuation added at the end; one character repeated; containing the
 * person's e-mail name or the site's name.
 */
export function passwordProblem(password: string, context: { email?: string; name?: string } = {}): Localized | null {
  if ([...password].length < MIN_PASSWORD_LENGTH) return msg(m.error_field_min_characters, { count: MIN_PASSWORD_LENGTH });
  if (password.length > 200) return msg(m.error_field_max_characters, { count: 200 });
  const lower = password.toLowerCase();
  const stripped = lower.replace(/[\d\W_]+$/u, '');
  const list = commonPasswords();
  if (list.has(lower) || (stripped.length >= 4 && list.has(stripped))) return msg(m.error_password_common);
  if (/^(.)\1+$/u.test(password)) return msg(m.error_password_repeated);
  const local = context.email?.split('@')[0]?.toLowerCase();
  if (local && local.length >= 4 && lower.includes(local)) return msg(m.error_password_contains_email);
  if (lower.includes('convene')) return msg(m.error_password_contains_site);
  return null;
}
