// passthrough.js - option_column: the query returns a whole ECharts option
// (JSON text or an object) in its first row; the block's type fills in a
// series type the option leaves out.
import { get } from './common.js';

export function passthrough(spec, result, cols, type) {
  const oi = cols.need('option', get(spec, 'option_column', 'optionColumn', 'option'));
  const row = result.rows[0];
  if (!row) throw new Error('option_column query returned no rows');
  let opt = row[oi];
  if (typeof opt === 'string') {
    try {
      opt = JSON.parse(opt);
    } catch (e) {
      throw new Error(`option_column '${cols.columns[oi].name}' is not valid JSON: ${e.message}`);
    }
  }
  if (!opt || typeof opt !== 'object') throw new Error(`option_column '${cols.columns[oi].name}' is not an object`);
  if (Array.isArray(opt.series) && opt.series[0] && !opt.series[0].type && type) opt.series[0].type = type;
  else if (opt.series && !Array.isArray(opt.series) && !opt.series.type && type) opt.series.type = type;
  // Leave room for the title above polar-like layouts that did not place themselves.
  if (get(spec, 'title') !== undefined && !opt.title) {
    for (const key of ['radar', 'polar']) {
      const comp = opt[key];
      if (comp && !Array.isArray(comp) && comp.center === undefined) {
        comp.center = ['50%', '57%'];
        if (comp.radius === undefined) comp.radius = '62%';
      }
    }
  }
  return opt;
}
