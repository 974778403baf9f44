import Link from 'next/link';
import { redirect } from 'next/navigation';
import { pageAccess } from '@/lib/auth/page-access';
import { safeNextPath } from '@/lib/auth/session-cookie';
import '@/components/ui/ui.css';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Sign in · Steady' };

const ERRORS: Record<string, string> = {
  invalid: 'That password is not right.',
  missing: 'Enter the dashboard password.',
};

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

/** A plain form posting to /api/auth/login: it works before (or without) any JavaScript loading. */
export default async function LoginPage({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams;
  const next = safeNextPath(params.next);
  const error = typeof params.error === 'string' ? ERRORS[params.error] : undefined;
  const access = await pageAccess();
  if (access === 'signed-in') redirect(next);

  return (
    <main className="auth">
      <div className="card auth__card">
        <p className="auth__brand">Steady</p>
        {access === 'closed-prod' ? (
          <>
            <h1>The dashboard is closed</h1>
            <p>
              This server runs in production without a <code>DASHBOARD_PASSWORD</code>, so the dashboard refuses every
              visitor rather than opening to anyone. Set <code>DASHBOARD_PASSWORD</code> (8 characters or more) in the
              server&apos;s environment and restart it to sign in here.
            </p>
          </>
        ) : access === 'open-dev' ? (
          <>
            <h1>No sign-in needed</h1>
            <p>
              No <code>DASHBOARD_PASSWORD</code> is set, so this development dashboard is open. Set one to require
              sign-in.
            </p>
            <p>
              <Link href={next} className="button button--primary">
                Open the dashboard
              </Link>
            </p>
          </>
        ) : (
          <>
            <h1>Sign in</h1>
            {params.signedOut === '1' && !error && (
              <p className="notice" role="status">
                You are signed out.
              </p>
            )}
            <form method="post" action="/api/auth/login" className="auth__form">
              <input type="hidden" name="next" value={next} />
              <div className="field">
                <label htmlFor="password">Dashboard password</label>
                <input
                  id="password"
                  name="password"
                  type="password"
                  autoComplete="current-password"
                  required
                  autoFocus
                  aria-invalid={error ? true : undefined}
                  aria-describedby={error ? 'login-error' : undefined}
                />
              </div>
              {error && (
                <p id="login-error" className="form-error" role="alert">
                  {error}
                </p>
              )}
              <button type="submit" className="button button--primary button--block">
                Sign in
              </button>
            </form>
          </>
        )}
      </div>
    </main>
  );
}
