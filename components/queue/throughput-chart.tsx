import { formatCount } from '@/lib/dashboard/client/format';
import type { StatsDto } from '@/lib/dashboard/client/types';

// The plot stretches to its box (preserveAspectRatio none) so bars fill any width; labels live in
// HTML beside it, so they stay readable at phone width instead of scaling with the drawing.
const W = 600;
const H = 120;

/** A round top for the y axis, so the scale reads 0 / 5 / 10 rather than 0 / 3.5 / 7. */
export function niceMax(n: number): number {
  if (n <= 4) return 4;
  const pow = 10 ** Math.floor(Math.log10(n));
  const steps = [1, 2, 2.5, 5, 10];
  return (steps.find((s) => s * pow >= n) ?? 10) * pow;
}

/** Completions and failures per minute over the last hour, as stacked bars. */
export function ThroughputChart({ throughput }: { throughput: StatsDto['throughput'] }) {
  const completed = throughput.reduce((a, t) => a + t.completed, 0);
  const failed = throughput.reduce((a, t) => a + t.failed, 0);
  const top = niceMax(Math.max(0, ...throughput.map((t) => t.completed + t.failed)));
  const slot = W / Math.max(throughput.length, 1);
  const barW = Math.max(slot * 0.72, 1);
  const h = (v: number) => (v / top) * H;
  const summary = `${formatCount(completed)} completed and ${formatCount(failed)} failed in the last hour`;

  return (
    <figure className="chart">
      <div className="chart__plot">
        <div className="chart__y" aria-hidden="true">
          <span>{formatCount(top)}</span>
          <span>{formatCount(top / 2)}</span>
          <span>0</span>
        </div>
        <svg
          viewBox={`0 0 ${W} ${H}`}
          preserveAspectRatio="none"
          role="img"
          aria-label={summary}
          className="chart__svg"
        >
          {[0, 0.5, 1].map((f) => (
            <line
              key={f}
              x1={0}
              x2={W}
              y1={H - f * H}
              y2={H - f * H}
              className="chart__grid"
              vectorEffect="non-scaling-stroke"
            />
          ))}
          {throughput.map((t, i) => {
            const x = i * slot + (slot - barW) / 2;
            return (
              <g key={t.minute}>
                <title>{`${t.minute.slice(11, 16)} UTC: ${t.completed} completed, ${t.failed} failed`}</title>
                <rect x={i * slot} y={0} width={slot} height={H} fill="transparent" />
                {t.completed > 0 && (
                  <rect
                    x={x}
                    y={H - h(t.completed)}
                    width={barW}
                    height={h(t.completed)}
                    className="chart__bar--completed"
                  />
                )}
                {t.failed > 0 && (
                  <rect
                    x={x}
                    y={H - h(t.completed + t.failed)}
                    width={barW}
                    height={h(t.failed)}
                    className="chart__bar--failed"
                  />
                )}
              </g>
            );
          })}
        </svg>
      </div>
      <div className="chart__x" aria-hidden="true">
        <span>60 min ago</span>
        <span>30 min ago</span>
        <span>now</span>
      </div>
      <figcaption className="chart__legend">
        <span className="legend legend--completed">Completed {formatCount(completed)}</span>
        <span className="legend legend--failed">Failed {formatCount(failed)}</span>
      </figcaption>
    </figure>
  );
}
