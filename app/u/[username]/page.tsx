import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { getDb } from '@/lib/db';
import { getPublicActivity } from '@/lib/sync/activity';
import { addDays, todayUtc } from '@/lib/sync/dates';
import { PLATFORM_LABELS } from '@/lib/sync/platforms';
import { USERNAME_PATTERN } from '@/lib/sync/users';
import { formatCount } from '@/lib/dashboard/client/format';
import { calendarStart } from '@/components/activity/calendar-layout';
import { YearHeatmap } from '@/components/activity/year-heatmap';
import { PlatformBreakdown } from '@/components/activity/platform-breakdown';
import '@/components/ui/ui.css';
import '@/components/activity/activity.css';

const days = (n: number) => `${n} ${n === 1 ? 'day' : 'days'}`;

export const dynamic = 'force-dynamic';

type Props = { params: Promise<{ username: string }> };

async function load(username: string) {
  if (!USERNAME_PATTERN.test(username)) return null;
  const to = todayUtc(new Date());
  // The same reader as the public API: private platforms are filtered out in its query.
  return getPublicActivity(getDb(), username, { from: calendarStart(to), to });
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { username } = await params;
  return { title: `${username} · Steady`, robots: { index: false } };
}

/** Anyone's consistency, no sign-in: the year, the streaks, and the platforms they chose to show. */
export default async function PublicProfilePage({ params }: Props) {
  const { username } = await params;
  const activity = await load(username);
  if (!activity) notFound();
  const { streaks } = activity;
  const yearAgo = addDays(activity.to, -364);
  const lastYear = activity.days.filter((d) => d.date >= yearAgo);
  const total = lastYear.reduce((a, d) => a + d.total, 0);

  return (
    <main className="public">
      <header className="public__head">
        <p className="public__brand">Steady</p>
        <h1>{activity.user.displayName}</h1>
        <p className="muted">@{activity.user.username}</p>
      </header>

      <section className="tiles tiles--public" aria-label="Streaks">
        <div className="tile tile--completed">
          <span className="tile__label">Current streak</span>
          <span className="tile__value">{days(streaks.current)}</span>
        </div>
        <div className="tile">
          <span className="tile__label">Longest streak</span>
          <span className="tile__value">{days(streaks.longest)}</span>
        </div>
        <div className="tile">
          <span className="tile__label">Active days this year</span>
          <span className="tile__value">{formatCount(lastYear.length)}</span>
        </div>
        <div className="tile">
          <span className="tile__label">Activities this year</span>
          <span className="tile__value">{formatCount(total)}</span>
        </div>
      </section>

      <section className="card" aria-labelledby="year-h">
        <h2 id="year-h">The last year</h2>
        <YearHeatmap to={activity.to} days={activity.days} />
      </section>

      <section className="card" aria-labelledby="platforms-h">
        <h2 id="platforms-h">By platform</h2>
        <PlatformBreakdown activity={activity} labels={PLATFORM_LABELS} />
      </section>

      <footer className="public__foot muted">
        Days are counted in UTC.{' '}
        {streaks.lastActiveDate ? `Last active ${streaks.lastActiveDate}.` : 'No activity yet.'}
      </footer>
    </main>
  );
}
