// theme.js - the two themes every chart is drawn with, light and dark: the
// colours of each (palette, text, axes, surfaces) and the ECharts theme
// objects made from them, registered as 'ducksite-light' and
// 'ducksite-dark' by chart.js in the browser and by firstpaint.js under
// node.  Builders set no theme colour themselves: the per-series-type
// entries below (bar, pie, gauge, ...) give them, so one option draws in
// either theme.  The page's colours are in ducksite.css; keep the two in
// step (text here meets 4.5:1 against the chart's background there).

export const THEME_NAMES = ['light', 'dark'];

const COLORS = {
  dark: {
    palette: ['#38bdf8', '#a78bfa', '#34d399', '#fbbf24', '#f87171', '#f472b6',
      '#22d3ee', '#a3e635', '#fb923c', '#818cf8'],
    fg: '#e5e7eb',
    text: '#cbd5e1',
    muted: '#94a3b8',
    line: '#475569',
    split: 'rgba(148, 163, 184, 0.14)',
    band: ['rgba(255,255,255,0.02)', 'rgba(255,255,255,0)'],
    surface: '#0b1220',
    track: 'rgba(148, 163, 184, 0.18)',
    trend: '#f8fafc',
    inside: { color: '#0f172a' }, // labels on the palette's light colours
    tooltip: 'rgba(15, 23, 42, 0.96)',
    tooltipBorder: '#334155',
    shadow: 'rgba(0,0,0,0.4)',
    land: '#1e293b', // map regions without data
    landHover: '#334155',
    cell: 'rgba(148, 163, 184, 0.06)', // calendar days without data
    boxFill: 'rgba(56, 189, 248, 0.25)',
  },
  light: {
    palette: ['#0284c7', '#7c3aed', '#059669', '#d97706', '#dc2626', '#db2777',
      '#0891b2', '#65a30d', '#ea580c', '#4f46e5'],
    fg: '#0f172a',
    text: '#334155',
    muted: '#475569',
    line: '#94a3b8',
    split: 'rgba(100, 116, 139, 0.2)',
    band: ['rgba(15,23,42,0.025)', 'rgba(15,23,42,0)'],
    surface: '#ffffff',
    track: 'rgba(100, 116, 139, 0.18)',
    trend: '#0f172a',
    inside: { color: '#ffffff', textBorderColor: 'rgba(15, 23, 42, 0.75)', textBorderWidth: 2.5 },
    tooltip: 'rgba(255, 255, 255, 0.98)',
    tooltipBorder: '#cbd5e1',
    shadow: 'rgba(15,23,42,0.16)',
    land: '#e2e8f0',
    landHover: '#cbd5e1',
    cell: 'rgba(100, 116, 139, 0.08)',
    boxFill: 'rgba(2, 132, 199, 0.16)',
  },
};

/** The colours of theme NAME ('light' or 'dark'; anything else: dark). */
export function themeColors(name) {
  return COLORS[name] || COLORS.dark;
}

/** The ECharts theme object of theme NAME. */
export function echartsTheme(name) {
  const c = themeColors(name);
  const axis = {
    axisLine: { lineStyle: { color: c.line } },
    axisTick: { lineStyle: { color: c.line } },
    axisLabel: { color: c.muted },
    splitLine: { lineStyle: { color: c.split } },
    splitArea: { areaStyle: { color: c.band } },
    nameTextStyle: { color: c.muted },
  };
  const valueLabel = { label: { color: c.fg } };
  // The item whose value a click set (chart.js showSelected): outlined in
  // the text colour, which stands out on every palette colour.
  const selected = { select: { itemStyle: { borderColor: c.fg, borderWidth: 2.5, borderType: 'solid' } } };
  return {
    color: c.palette,
    backgroundColor: 'transparent',
    textStyle: { color: c.fg, fontFamily: 'Inter, system-ui, -apple-system, "Segoe UI", Roboto, sans-serif' },
    title: { textStyle: { color: c.fg, fontSize: 14, fontWeight: 600 }, subtextStyle: { color: c.muted } },
    legend: { textStyle: { color: c.text }, pageTextStyle: { color: c.muted }, pageIconColor: c.fg, pageIconInactiveColor: c.line },
    tooltip: {
      backgroundColor: c.tooltip,
      borderColor: c.tooltipBorder,
      textStyle: { color: c.fg },
      extraCssText: `box-shadow: 0 8px 24px ${c.shadow}; border-radius: 8px;`,
    },
    categoryAxis: { ...axis, splitLine: { show: false, lineStyle: { color: c.split } } },
    valueAxis: { ...axis, axisLine: { show: false, lineStyle: { color: c.line } } },
    logAxis: axis,
    timeAxis: axis,
    visualMap: { textStyle: { color: c.text } },
    radar: {
      axisName: { color: c.text },
      axisLine: { lineStyle: { color: c.line } },
      splitLine: { lineStyle: { color: c.split } },
      splitArea: { areaStyle: { color: c.band } },
    },
    dataZoom: { textStyle: { color: c.muted }, borderColor: c.line },
    // Per series type: what the builders would otherwise spell.
    bar: { ...valueLabel, ...selected },
    line: { ...valueLabel, ...selected },
    pie: {
      ...selected,
      itemStyle: { borderColor: c.surface },
      label: { color: c.text },
      labelLine: { lineStyle: { color: c.line } },
    },
    // Funnel labels sit outside, beside their stage (charts/funnel.js).
    funnel: { ...selected, itemStyle: { borderColor: c.surface }, label: { color: c.fg }, labelLine: { lineStyle: { color: c.line } } },
    sankey: { label: { color: c.fg } },
    // Treemap labels sit on the boxes' palette colours; a parent's name in
    // the band of its border, which has the surface's colour.
    treemap: { itemStyle: { borderColor: c.surface }, label: c.inside, upperLabel: { color: c.fg } },
    boxplot: { itemStyle: { color: c.boxFill, borderColor: c.palette[0] } },
    calendar: {
      splitLine: { lineStyle: { color: c.line } },
      itemStyle: { color: c.cell, borderColor: c.surface },
      yearLabel: { color: c.fg },
      monthLabel: { color: c.muted },
      dayLabel: { color: c.muted },
    },
    geo: {
      itemStyle: { areaColor: c.land, borderColor: c.surface },
      emphasis: { itemStyle: { areaColor: c.landHover } },
    },
    heatmap: { ...selected, itemStyle: { borderColor: c.surface } },
    scatter: selected,
    effectScatter: selected,
    map: { select: { itemStyle: { borderColor: c.fg, borderWidth: 2 }, label: { color: c.fg } } },
    gauge: {
      axisLine: { lineStyle: { color: [[1, c.track]] } },
      splitLine: { lineStyle: { color: c.line } },
      axisLabel: { color: c.muted },
      title: { color: c.muted },
      detail: { color: c.fg },
    },
  };
}

// The dark theme's, as before themes were two (tests and callers of
// chart.js name them).
export const PALETTE = COLORS.dark.palette;
export const THEME = echartsTheme('dark');
export const HIGHLIGHT = '#facc15';
