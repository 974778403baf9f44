import { z } from 'zod';
import { env } from '@/lib/env';
import { errorJson, handle, json, otherMethods, parseOr400, readForm, readJson } from '@/lib/http';
import { passwordMatches } from '@/lib/auth/guards';
import { createSessionToken, sessionKey } from '@/lib/auth/session';
import { safeNextPath, sessionCookie } from '@/lib/auth/session-cookie';

export const dynamic = 'force-dynamic';

const Body = z.object({
  password: z.string().min(1, 'is required').max(500),
  next: z.string().max(500).optional(),
});

// A wrong password costs the caller this long, which is enough to make guessing over HTTP slow.
const FAILURE_DELAY_MS = 400;

/** Form posts (the sign-in page, which works without JavaScript) get redirects; JSON callers get JSON. */
export const POST = handle(async (req: Request) => {
  const isForm = /^application\/x-www-form-urlencoded|^multipart\/form-data/i.test(
    req.headers.get('content-type') ?? '',
  );
  const raw = isForm ? await readForm(req) : await readJson(req);
  const next = safeNextPath((raw as { next?: unknown })?.next);
  const back = (error: string) =>
    redirectTo(`/login?error=${error}${next === '/' ? '' : `&next=${encodeURIComponent(next)}`}`);

  const e = env();
  if (!e.DASHBOARD_PASSWORD) {
    if (isForm) return back(e.NODE_ENV === 'production' ? 'closed' : 'open');
    return e.NODE_ENV === 'production'
      ? errorJson(503, 'The dashboard is closed: set DASHBOARD_PASSWORD on the server to open it')
      : errorJson(409, 'No DASHBOARD_PASSWORD is set, so the development dashboard is open without signing in');
  }

  const body = Body.safeParse(raw);
  if (!body.success) {
    if (isForm) return back('missing');
    parseOr400(Body, raw);
  }
  if (!body.success || !passwordMatches(body.data.password)) {
    await new Promise((r) => setTimeout(r, FAILURE_DELAY_MS));
    return isForm ? back('invalid') : errorJson(401, 'Wrong password');
  }

  const token = createSessionToken(sessionKey({ sessionSecret: e.SESSION_SECRET, password: e.DASHBOARD_PASSWORD }));
  const cookie = sessionCookie(req, token);
  if (isForm) return redirectTo(next, cookie);
  return json({ ok: true, next }, 200, { 'set-cookie': cookie });
});

function redirectTo(path: string, cookie?: string): Response {
  // Relative, so the redirect stays on whatever host and scheme the browser used (proxies, previews).
  const headers = new Headers({ location: path, 'cache-control': 'no-store' });
  if (cookie) headers.set('set-cookie', cookie);
  return new Response(null, { status: 303, headers });
}
export const { GET, PUT, PATCH, DELETE, HEAD, OPTIONS } = otherMethods(['POST']);
