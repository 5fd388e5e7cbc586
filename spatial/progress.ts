// Progress reporting lives at the bottom of the house, in data/progress.ts; this re-export keeps the older
// import path working for modules above data/.
export * from '../data/progress.ts';
