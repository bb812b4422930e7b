/** The private human baseline: consent, profiles, answers, reports, export and forget-me. See README "Human baseline". */
export * from './consent.js';
export * from './export.js';
export * from './history.js';
export * from './planner.js';
export * from './profile.js';
export * from './pseudonym.js';
export * from './recorded-models.js';
export * from './report.js';
export * from './service.js';
export * from './statistics.js';
