// theme.js - the dark theme every chart is drawn with: the palette, the
// colours the builders name, and the ECharts theme object (registered by
// chart.js in the browser and by firstpaint.js under node).

export const PALETTE = ['#38bdf8', '#a78bfa', '#34d399', '#fbbf24', '#f87171', '#f472b6',
  '#22d3ee', '#a3e635', '#fb923c', '#818cf8'];
export const FG = '#e5e7eb';
export const MUTED = '#94a3b8';
export const LINE = '#475569';
export const SPLIT = 'rgba(148, 163, 184, 0.14)';
export const HIGHLIGHT = '#facc15';

const axisTheme = {
  axisLine: { lineStyle: { color: LINE } },
  axisTick: { lineStyle: { color: LINE } },
  axisLabel: { color: MUTED },
  splitLine: { lineStyle: { color: SPLIT } },
  splitArea: { areaStyle: { color: ['rgba(255,255,255,0.02)', 'rgba(255,255,255,0)'] } },
  nameTextStyle: { color: MUTED },
};

export const THEME = {
  color: PALETTE,
  backgroundColor: 'transparent',
  textStyle: { color: FG, fontFamily: 'Inter, system-ui, -apple-system, "Segoe UI", Roboto, sans-serif' },
  title: { textStyle: { color: FG, fontSize: 14, fontWeight: 600 }, subtextStyle: { color: MUTED } },
  legend: { textStyle: { color: '#cbd5e1' }, pageTextStyle: { color: MUTED }, pageIconColor: FG, pageIconInactiveColor: LINE },
  tooltip: {
    backgroundColor: 'rgba(15, 23, 42, 0.96)',
    borderColor: '#334155',
    textStyle: { color: FG },
    extraCssText: 'box-shadow: 0 8px 24px rgba(0,0,0,0.4); border-radius: 8px;',
  },
  categoryAxis: { ...axisTheme, splitLine: { show: false, lineStyle: { color: SPLIT } } },
  valueAxis: { ...axisTheme, axisLine: { show: false, lineStyle: { color: LINE } } },
  logAxis: axisTheme,
  timeAxis: axisTheme,
  visualMap: { textStyle: { color: '#cbd5e1' } },
  radar: {
    axisName: { color: '#cbd5e1' },
    axisLine: { lineStyle: { color: LINE } },
    splitLine: { lineStyle: { color: 'rgba(148, 163, 184, 0.28)' } },
    splitArea: { areaStyle: { color: ['rgba(148, 163, 184, 0.05)', 'rgba(148, 163, 184, 0.02)'] } },
  },
  dataZoom: { textStyle: { color: MUTED }, borderColor: LINE },
  gauge: { title: { color: MUTED }, detail: { color: FG } },
};
