import type { Request, RequestHandler } from 'express';
import session from 'express-session';
import passport from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import type { AppContext } from '../context.ts';
import type { MemberDoc } from '../members/member.model.ts';
import type { Actor } from '../policy/policy.ts';
import { verifyPassword } from './passwords.ts';
import type { DatabaseSessionStore } from './session-store.ts';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    // passport's req.user is the member document, loaded fresh on every request.
    interface User extends MemberDoc {}
    interface Request {
      /** The signed-in person as the policy sees them; undefined for visitors. */
      actor?: Actor;
    }
  }
}

declare module 'express-session' {
  interface SessionData {
    signedInAt?: number;
    /** Set on a session whose id is being replaced; it then lives on briefly (see the store). */
    rotatedAt?: number;
  }
}

export const SESSION_COOKIE = 'convene.sid';
/** Idle timeout (rolling) and absolute lifetime of a session. */
export const IDLE_MS = 12 * 3600 * 1000;
export const ABSOLUTE_MS = 7 * 24 * 3600 * 1000;

/** What the session keeps about its person: who, and for which state of their roles and status. */
interface SessionRef {
  id: string;
  epoch: number;
}

/** The fields of a member the policy decides on: a projection for reads of many members at once (fan-outs). */
export const ACTOR_FIELDS = { status: 1, roles: 1, sector: 1, organisationId: 1 } as const;
export type ActorFields = Pick<MemberDoc, '_id' | 'status' | 'roles' | 'sector' | 'organisationId'>;

export function toActor(member: ActorFields): Actor {
  return {
    id: String(member._id),
    status: member.status,
    roles: member.roles,
    sector: member.sector,
    organisationId: member.organisationId ? String(member.organisationId) : null,
  };
}

export function sessionMiddleware(ctx: AppContext): RequestHandler {
  return session({
    name: SESSION_COOKIE,
    secret: ctx.config.sessionSecret,
    store: ctx.sessions,
    resave: false,
    saveUninitialized: false,
    rolling: true,
    cookie: {
      httpOnly: true,
      sameSite: 'lax',
      secure: ctx.config.publicUrl.startsWith('https://'),
      maxAge: IDLE_MS,
      path: '/',
    },
  });
}

/** A passport instance per app (tests run several apps in one process). */
export function createAuthenticator(ctx: AppContext): passport.PassportStatic {
  const authenticator = new passport.Passport() as passport.PassportStatic;
  authenticator.serializeUser<SessionRef>((member, done) => done(null, { id: String(member._id), epoch: member.sessionEpoch }));
  authenticator.deserializeUser<SessionRef>(async (ref, done) => {
    try {
      const member = await ctx.cache.member(ref.id);
      // A suspended or deleted person has no session, whatever the cookie says.
      done(null, member && member.status !== 'suspended' ? member : false);
    } catch (error) {
      done(error);
    }
  });
  authenticator.use(
    'local',
    new LocalStrategy({ usernameField: 'email', passwordField: 'password', session: true }, async (email, password, done) => {
      try {
        const member = await ctx.models.Member.findOne({ emailNormalized: email.trim().toLowerCase() }).lean<MemberDoc>();
        // Always hash, so that the answer takes as long whether or not the address is known.
        const ok = await verifyPassword(password, member?.passwordHash);
        done(null, ok && member ? member : false, member && !ok ? { message: String(member._id) } : undefined);
      } catch (error) {
        done(error);
      }
    }),
  );
  return authenticator;
}

/**
 * After passport has loaded the person: end sessions past their absolute lifetime, rotate the
 * session id when roles or status changed since it was issued, and set `req.actor`.
 */
export function actorMiddleware(): RequestHandler {
  return async (req, _res, next) => {
    try {
      const member = req.user;
      if (!member) return next();
      const ref = (req.session as { passport?: { user?: SessionRef } }).passport?.user;
      if (!req.session.signedInAt || Date.now() - req.session.signedInAt > ABSOLUTE_MS) {
        await logOut(req);
        return next();
      }
      if (ref && ref.epoch !== member.sessionEpoch && !req.session.rotatedAt) {
        // Roles or status changed: a new session id. The old one is marked first, so the store
        // keeps it for a few seconds: requests the browser sent in parallel still find it.
        req.session.rotatedAt = Date.now();
        await new Promise<void>((resolve, reject) => req.session.save((error) => (error ? reject(error) : resolve())));
        await logIn(req, member, { rotation: true });
      }
      req.actor = toActor(member);
      next();
    } catch (error) {
      next(error);
    }
  };
}

/**
 * Signs in with a fresh session id (passport regenerates the session on login). A rotation after a
 * change of roles keeps the original sign-in time, so the absolute lifetime still counts from it.
 */
export async function logIn(req: Request, member: MemberDoc, options: { rotation?: boolean } = {}): Promise<void> {
  const signedInAt = options.rotation && req.session.signedInAt ? req.session.signedInAt : Date.now();
  await new Promise<void>((resolve, reject) => req.login(member, (error) => (error ? reject(error) : resolve())));
  req.session.signedInAt = signedInAt;
  await new Promise<void>((resolve, reject) => req.session.save((error) => (error ? reject(error) : resolve())));
}

export async function logOut(req: Request): Promise<void> {
  const sid = req.sessionID;
  await new Promise<void>((resolve, reject) => req.logout((error) => (error ? reject(error) : resolve())));
  await new Promise<void>((resolve) => req.session.destroy(() => resolve()));
  // Whatever the grace rules, a signed-out session is gone.
  await (req.sessionStore as unknown as DatabaseSessionStore).destroyNow(sid);
  delete req.actor;
}
