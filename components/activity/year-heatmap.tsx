import { formatCount } from '@/lib/dashboard/client/format';
import { layoutCalendar } from './calendar-layout';

const CELL = 11;
const GAP = 3;
const STEP = CELL + GAP;
const LEFT = 28;
const TOP = 16;
const DAY_LABELS: [number, string][] = [
  [0, 'Mon'],
  [2, 'Wed'],
  [4, 'Fri'],
];

/** A year of days as coloured squares, one column per week; each square names its date and count. */
export function YearHeatmap({ to, days }: { to: string; days: { date: string; total: number }[] }) {
  const layout = layoutCalendar(to, new Map(days.map((d) => [d.date, d.total])));
  const width = LEFT + layout.weeks.length * STEP;
  const height = TOP + 7 * STEP;
  return (
    <figure className="heatmap">
      {/* Scrolled to the newest weeks on narrow screens: the row-reverse container starts at its end. */}
      <div className="heatmap__scroll">
        <svg
          style={{ minWidth: width, maxWidth: width * 1.3 }}
          viewBox={`0 0 ${width} ${height}`}
          role="img"
          aria-label={`${layout.activeDays} active days in the last year`}
          className="heatmap__svg"
        >
          {layout.months.map((m) => (
            <text key={`${m.column}-${m.label}`} x={LEFT + m.column * STEP} y={10} className="heatmap__label">
              {m.label}
            </text>
          ))}
          {DAY_LABELS.map(([row, label]) => (
            <text key={label} x={0} y={TOP + row * STEP + CELL - 1} className="heatmap__label">
              {label}
            </text>
          ))}
          {layout.weeks.map((week, col) =>
            week.map((cell, row) =>
              cell ? (
                <rect
                  key={cell.date}
                  x={LEFT + col * STEP}
                  y={TOP + row * STEP}
                  width={CELL}
                  height={CELL}
                  rx={2}
                  className={`heatmap__cell heatmap__cell--${cell.level}`}
                  data-date={cell.date}
                  data-level={cell.level}
                >
                  <title>{`${cell.date}: ${cell.total === 0 ? 'no activity' : `${formatCount(cell.total)} ${cell.total === 1 ? 'activity' : 'activities'}`}`}</title>
                </rect>
              ) : null,
            ),
          )}
        </svg>
      </div>
      <figcaption className="heatmap__legend">
        <span className="muted">Less</span>
        {[0, 1, 2, 3, 4].map((l) => (
          <span key={l} className={`heatmap__swatch heatmap__cell--${l}`} aria-hidden="true" />
        ))}
        <span className="muted">More</span>
      </figcaption>
    </figure>
  );
}
