/** The quiz-session engine, shared by the Discord front end and later the web one. See README "Quiz engine". */

export * from '../random.js';
export * from './answers.js';
export * from './clock.js';
export * from './crowd-figures.js';
export * from './engine.js';
export * from './model-answers.js';
export * from './pairs.js';
export * from './quiz-archive.js';
export * from './quiz-errors.js';
export * from './records.js';
export * from './recovery-note.js';
export * from './reveal.js';
export * from './stats.js';
export * from './summary.js';
export * from './tallies.js';
export * from './throttle.js';
