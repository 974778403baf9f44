import { handle, otherMethods } from '@/lib/http';
import { clearedSessionCookie } from '@/lib/auth/session-cookie';

export const dynamic = 'force-dynamic';

/** POST only: a GET that signs out could be triggered by any image tag on another site. */
export const POST = handle(async (req: Request) => {
  const accepts = req.headers.get('accept') ?? '';
  const headers = new Headers({ 'set-cookie': clearedSessionCookie(req), 'cache-control': 'no-store' });
  if (accepts.includes('application/json')) {
    headers.set('content-type', 'application/json');
    return new Response(JSON.stringify({ ok: true }), { status: 200, headers });
  }
  headers.set('location', '/login?signedOut=1');
  return new Response(null, { status: 303, headers });
});
export const { GET, PUT, PATCH, DELETE, HEAD, OPTIONS } = otherMethods(['POST']);
