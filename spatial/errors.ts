// The error vocabulary lives at the bottom of the house, in data/errors.ts; this re-export keeps the older
// import path working for modules above data/.
export * from '../data/errors.ts';
