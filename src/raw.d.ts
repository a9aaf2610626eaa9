// Text files inlined at build time (esbuild plugin in scripts/build.mjs, Vite's ?raw in tests).
declare module '*?raw' {
  const text: string;
  export default text;
}
