import type { Html } from './html';
import { html, integer } from './html';

export interface Series {
  label: string;
  colour: string;
  values: number[];
}

/** A small line chart in inline SVG (no script), with its figures in a table for screen readers and a caption. */
export function lineChart(title: string, days: string[], series: Series[]): Html {
  if (days.length === 0) return html`<p>Pas encore de données jour par jour.</p>`;
  const width = 640;
  const height = 240;
  const pad = { left: 48, right: 16, top: 16, bottom: 32 };
  const max = Math.max(1, ...series.flatMap((s) => s.values));
  const x = (i: number) =>
    pad.left +
    (days.length === 1 ? (width - pad.left - pad.right) / 2 : (i * (width - pad.left - pad.right)) / (days.length - 1));
  const y = (v: number) => height - pad.bottom - (v * (height - pad.top - pad.bottom)) / max;
  const ticks = [0, Math.round(max / 2), max];
  const label = (d: string) => `${d.slice(8, 10)}/${d.slice(5, 7)}`;
  return html`<figure class="fr-my-3w">
    <svg class="pn-chart" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="chart-title">
      <title id="chart-title">${title}</title>
      ${ticks.map((t) => html`<line x1="${pad.left}" x2="${width - pad.right}" y1="${y(t)}" y2="${y(t)}" stroke="#ddd"/><text x="${pad.left - 6}" y="${y(t) + 4}" text-anchor="end" font-size="11" fill="currentColor">${integer(t)}</text>`)}
      <text x="${pad.left}" y="${height - 8}" font-size="11" fill="currentColor">${label(days[0])}</text>
      <text x="${width - pad.right}" y="${height - 8}" font-size="11" text-anchor="end" fill="currentColor">${label(days[days.length - 1])}</text>
      ${series.map((s) =>
        days.length === 1
          ? html`<circle cx="${x(0)}" cy="${y(s.values[0])}" r="4" fill="${s.colour}"/>`
          : html`<polyline fill="none" stroke="${s.colour}" stroke-width="2.5" points="${s.values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ')}"/>`,
      )}
    </svg>
    <figcaption>${series.map((s) => html`<span class="fr-mr-2w"><span aria-hidden="true" style="color:${s.colour}">■</span> ${s.label}</span>`)}</figcaption>
  </figure>`;
}
