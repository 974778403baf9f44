import { formatCount } from '@/lib/dashboard/client/format';
import type { PublicActivity } from '@/lib/sync/activity';
import type { Platform } from '@/lib/sync/platforms';

/**
 * Totals for the platforms the public activity names, and nothing else: private platforms never
 * reach this component (the query leaves them out), so there is nothing here to hide with CSS.
 */
export function PlatformBreakdown({
  activity,
  labels,
}: {
  activity: PublicActivity;
  labels: Record<Platform, string>;
}) {
  const rows = activity.platforms.map((p) => ({
    platform: p,
    total: activity.totals[p] ?? 0,
    days: activity.days.filter((d) => (d.counts[p] ?? 0) > 0).length,
  }));
  const max = Math.max(1, ...rows.map((r) => r.total));
  if (rows.length === 0) return <p className="muted">No public platforms.</p>;
  return (
    <ul className="breakdown">
      {rows.map((r) => (
        <li key={r.platform} className="breakdown__row" data-platform={r.platform}>
          <span className="breakdown__name">{labels[r.platform]}</span>
          <span className="breakdown__bar" aria-hidden="true">
            <span className="breakdown__fill" style={{ width: `${(r.total / max) * 100}%` }} />
          </span>
          <span className="breakdown__nums">
            <strong>{formatCount(r.total)}</strong> <span className="muted">on {formatCount(r.days)} days</span>
          </span>
        </li>
      ))}
    </ul>
  );
}
