import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';

/**
 * One gated or informative figure: our value, the floor measured in the same run, the ratio and
 * the target. Targets: maxRatio/minRatio (vs floor), maxAbs/minAbs (absolute), equals (exact).
 */
export function fig(name, value, unit, { floor = null, maxRatio, minRatio, maxAbs, minAbs, equals, note } = {}) {
  const ratio = floor && value !== null && value !== undefined && Number.isFinite(value) ? Math.round((value / floor) * 100) / 100 : null;
  const checks = [];
  const target = [];
  if (maxAbs !== undefined) (target.push(`≤ ${maxAbs} ${unit}`), checks.push(value <= maxAbs));
  if (minAbs !== undefined) (target.push(`≥ ${minAbs} ${unit}`), checks.push(value >= minAbs));
  if (maxRatio !== undefined) (target.push(`≤ ${maxRatio}× floor`), checks.push(ratio !== null ? ratio <= maxRatio : null));
  if (minRatio !== undefined) (target.push(`≥ ${minRatio}× floor`), checks.push(ratio !== null ? ratio >= minRatio : null));
  if (equals !== undefined) (target.push(`= ${equals}`), checks.push(value === equals));
  const valid = value !== null && value !== undefined && !Number.isNaN(value);
  const pass = !checks.length || !valid ? null : checks.every((c) => c === true) ? true : checks.some((c) => c === false) ? false : null;
  return { name, value: valid ? value : null, unit, floor, ratio, target: target.join(', ') || 'info', pass, ...(note ? { note } : {}) };
}

/** Collects scenario lines, appends each to the run's JSONL file, renders the Markdown table. */
export class Results {
  constructor(file, header) {
    this.file = file;
    this.lines = [];
    mkdirSync(path.dirname(file), { recursive: true });
    appendFileSync(file, JSON.stringify({ type: 'header', ...header }) + '\n');
  }

  add(line) {
    const full = { type: 'scenario', at: new Date().toISOString(), ...line };
    this.lines.push(full);
    appendFileSync(this.file, JSON.stringify(full) + '\n');
    const figs = (line.figures ?? []).map((f) => `${f.name}=${f.value}${f.unit ? ' ' + f.unit : ''}${f.ratio !== null ? ` (${f.ratio}×)` : ''}`).join(', ');
    console.log(`  [${line.id}] ${line.status}${line.reason ? ': ' + line.reason : ''}${figs ? ' — ' + figs : ''}`);
    return full;
  }

  table() {
    const fmt = (v) => (v === null || v === undefined ? '–' : typeof v === 'number' ? String(Math.round(v * 100) / 100) : String(v));
    const rows = ['| scenario | figure | ours | floor | ratio | target | result |', '|---|---|---|---|---|---|---|'];
    for (const l of this.lines) {
      const flag = l.generatorBound ? ' (generator-bound)' : '';
      if (l.status !== 'ok' || !l.figures?.length) {
        rows.push(`| ${l.id} | – | – | – | – | – | ${l.status}${l.reason ? ': ' + l.reason.replace(/\|/g, '/').slice(0, 160) : ''} |`);
        if (!l.figures?.length) continue;
      }
      for (const f of l.figures) {
        const res = f.pass === true ? 'pass' : f.pass === false ? '**FAIL**' : 'info';
        rows.push(`| ${l.id}${flag} | ${f.name} | ${fmt(f.value)} ${f.unit} | ${f.floor === null ? '–' : fmt(f.floor)} | ${f.ratio === null ? '–' : f.ratio + '×'} | ${f.target} | ${res}${f.note ? ' (' + f.note + ')' : ''} |`);
      }
    }
    return rows.join('\n');
  }
}
