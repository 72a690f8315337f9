import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { loadConfig } from '../backend/src/config/config.ts';
import { AppError } from '../backend/src/http/errors.ts';
import { createLogger } from '../backend/src/http/logger.ts';
import { createAdmin } from '../backend/src/setup/setup.actions.ts';
import { SECTORS } from '../backend/src/policy/policy.ts';
import { openScriptDatabase } from './lib/database.ts';

/**
 * `npm run admin:create`: creates an admin from a terminal, on the configured database (the
 * embedded one in DATA_DIR, even while the server runs). Asks for what the flags do not give; the
 * password comes from ADMIN_PASSWORD or a hidden prompt, never from a flag (shell history).
 *
 *   npm run admin:create -- --email a@b.org --name "Ana Admin" --org "Secretariat" --sector civil_society --domain b.org
 */
const { values } = parseArgs({
  options: { email: { type: 'string' }, name: { type: 'string' }, org: { type: 'string' }, sector: { type: 'string' }, domain: { type: 'string' } },
});

const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: process.stdin.isTTY });
async function ask(question: string, given?: string): Promise<string> {
  if (given) return given;
  if (!process.stdin.isTTY) throw new Error(`missing --${question.split(' ')[0]!.toLowerCase()} (no terminal to ask)`);
  return (await rl.question(`${question}: `)).trim();
}
async function askHidden(question: string): Promise<string> {
  if (process.env.ADMIN_PASSWORD) return process.env.ADMIN_PASSWORD;
  if (!process.stdin.isTTY) throw new Error('set ADMIN_PASSWORD (no terminal to ask)');
  const output = rl as unknown as { _writeToOutput?: (text: string) => void };
  process.stderr.write(`${question}: `);
  output._writeToOutput = () => undefined; // do not echo the password
  const answer = await rl.question('');
  delete output._writeToOutput;
  process.stderr.write('\n');
  return answer;
}

const Input = z.object({
  email: z.email(),
  name: z.string().min(1).max(100),
  organisation: z.object({ name: z.string().min(2).max(120), sector: z.enum(SECTORS), domain: z.string().regex(/^([a-z0-9-]+\.)+[a-z]{2,}$/i) }),
  password: z.string().min(1),
});

const config = loadConfig();
const logger = createLogger({ logLevel: 'warn' });
let exitCode = 0;
try {
  const input = Input.parse({
    email: await ask('E-mail', values.email),
    name: await ask('Name', values.name),
    organisation: {
      name: await ask('Organisation', values.org),
      sector: await ask(`Sector (${SECTORS.join(', ')})`, values.sector),
      domain: (await ask('Organisation web domain', values.domain)).toLowerCase(),
    },
    password: await askHidden('Password (12+ characters)'),
  });
  const db = await openScriptDatabase(config, logger);
  try {
    const admin = await createAdmin(db, input);
    await db.models.AuditEvent.create({ action: 'setup.first_admin', at: new Date(), actorId: admin._id, targetType: 'member', targetId: String(admin._id), ip: null, details: { via: 'admin:create' } });
    process.stderr.write(`Admin ${admin.email} created. Sign in at ${config.publicUrl}/sign-in\n`);
  } finally {
    await db.close();
  }
} catch (error) {
  exitCode = 1;
  if (error instanceof z.ZodError) process.stderr.write(`admin:create: ${error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}\n`);
  else if (error instanceof AppError) process.stderr.write(`admin:create: ${error.message}\n`);
  else process.stderr.write(`admin:create: ${(error as Error).message}\n`);
} finally {
  rl.close();
}
process.exitCode = exitCode;
