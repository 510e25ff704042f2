export { buildReport, decileLabel, outOfOrder, ratio, returnOf, round, type ReportOptions } from './build.ts';
export { showSources } from './shows.ts';
export * from './types.ts';
