// Declarations for dependencies that ship no types of their own.
declare module 'geojson-validation' {
  /** With trace = true, returns the list of problems (empty when valid). */
  export function valid(obj: unknown, trace?: boolean): boolean | string[];
  const GJV: { valid: typeof valid };
  export default GJV;
}
