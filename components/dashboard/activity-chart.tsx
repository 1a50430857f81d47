// Calls and denials per day as SVG, rendered on the server (no chart library needed for bars):
// a labelled bar chart for the agent detail and overview, and a sparkline for list rows.
import type { DailyActivity } from '@/lib/agents/daily-series';

export function ActivityChart({ series, label }: { series: DailyActivity[]; label: string }) {
  const max = Math.max(1, ...series.map((d) => d.calls));
  const total = series.reduce((sum, d) => sum + d.calls, 0);
  const denied = series.reduce((sum, d) => sum + d.denials, 0);
  const width = 100 / Math.max(1, series.length);
  return (
    <figure className="space-y-3" aria-label={label}>
      <figcaption className="flex flex-wrap items-baseline gap-x-4 gap-y-1 text-sm">
        <span className="font-medium text-fg">{label}</span>
        <span className="flex items-center gap-1.5 text-muted">
          <span className="h-2.5 w-2.5 rounded-sm bg-accent" aria-hidden="true" />
          {total} call{total === 1 ? '' : 's'}
        </span>
        <span className="flex items-center gap-1.5 text-muted">
          <span className="h-2.5 w-2.5 rounded-sm bg-danger" aria-hidden="true" />
          {denied} refused
        </span>
      </figcaption>
      <svg viewBox="0 0 100 40" preserveAspectRatio="none" className="h-32 w-full" role="img" aria-label={`${total} calls, ${denied} refused, over ${series.length} days`}>
        {series.map((d, i) => {
          const h = (d.calls / max) * 38;
          const hd = (d.denials / max) * 38;
          return (
            <g key={d.day}>
              <title>{`${d.day}: ${d.calls} calls, ${d.denials} refused`}</title>
              <rect x={i * width + width * 0.15} y={40 - h} width={width * 0.7} height={h} className="fill-accent/70" rx="0.6" />
              <rect x={i * width + width * 0.15} y={40 - hd} width={width * 0.7} height={hd} className="fill-danger" rx="0.6" />
            </g>
          );
        })}
        <line x1="0" y1="39.9" x2="100" y2="39.9" className="stroke-line" strokeWidth="0.3" />
      </svg>
      <div className="flex justify-between text-xs text-muted">
        <span>{series[0]?.day}</span>
        <span>{series.at(-1)?.day}</span>
      </div>
    </figure>
  );
}

export function Sparkline({ series, label }: { series: DailyActivity[]; label: string }) {
  const max = Math.max(1, ...series.map((d) => d.calls));
  const step = 60 / Math.max(1, series.length - 1);
  const points = series.map((d, i) => `${(i * step).toFixed(1)},${(18 - (d.calls / max) * 16).toFixed(1)}`).join(' ');
  const total = series.reduce((sum, d) => sum + d.calls, 0);
  return (
    <svg viewBox="0 0 60 20" className="h-5 w-16 shrink-0" role="img" aria-label={`${label}: ${total} calls in ${series.length} days`}>
      <polyline points={points} fill="none" className="stroke-accent" strokeWidth="1.5" strokeLinejoin="round" strokeLinecap="round" />
    </svg>
  );
}
