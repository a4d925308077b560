export type * from './layout.js';
