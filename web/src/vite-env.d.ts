// Module declarations for vite's asset imports (tsconfig's `types` lists node only).
declare module '*?url' {
  const url: string;
  export default url;
}
declare module '*.css';
