// Replaced at build time from package.json (see scripts/build.mjs); the fallback serves tests.
declare const __SIDEKICK_VERSION__: string | undefined;
export const VERSION: string = typeof __SIDEKICK_VERSION__ === 'string' ? __SIDEKICK_VERSION__ : '0.0.0-dev';
