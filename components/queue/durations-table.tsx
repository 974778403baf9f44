import { formatCount, formatDuration } from '@/lib/dashboard/client/format';
import type { StatsDto } from '@/lib/dashboard/client/types';
import { EmptyState } from '@/components/ui/states';

/** Average and p95 run time per job type, with bars on one shared scale so types compare at a glance. */
export function DurationsTable({ durations }: { durations: StatsDto['durations'] }) {
  if (durations.length === 0)
    return <EmptyState title="No completed jobs yet">Durations appear once jobs finish.</EmptyState>;
  const max = Math.max(1, ...durations.map((d) => d.p95Ms));
  return (
    <div className="table-wrap">
      <table className="table">
        <caption className="visually-hidden">Run time per job type over its latest completions</caption>
        <thead>
          <tr>
            <th scope="col">Type</th>
            <th scope="col" className="num">
              Avg
            </th>
            <th scope="col" className="num">
              p95
            </th>
            <th scope="col" className="hide-sm">
              <span className="visually-hidden">Bar</span>
            </th>
            <th scope="col" className="num hide-sm">
              Sample
            </th>
          </tr>
        </thead>
        <tbody>
          {durations.map((d) => (
            <tr key={d.type}>
              <th scope="row" className="mono">
                {d.type}
              </th>
              <td className="num">{formatDuration(d.avgMs)}</td>
              <td className="num">{formatDuration(d.p95Ms)}</td>
              <td className="hide-sm bar-cell" aria-hidden="true">
                <div className="durbar">
                  <span className="durbar__p95" style={{ width: `${(d.p95Ms / max) * 100}%` }} />
                  <span className="durbar__avg" style={{ width: `${(d.avgMs / max) * 100}%` }} />
                </div>
              </td>
              <td className="num muted hide-sm">{formatCount(d.sample)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
