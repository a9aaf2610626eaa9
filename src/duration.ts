/** Durations as options take them (diagnose --timeout, exec --start-timeout). */
import { UserError } from './errors.js';

/** "30s", "2m", "500ms" or plain seconds, in milliseconds. */
export function parseDuration(text: string, option = '--timeout'): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!m) throw new UserError(`bad ${option} "${text}"`, { hint: 'use a duration such as 30s, 2m or 500ms', kind: 'invalid' });
  const n = Number(m[1]);
  return m[2] === 'ms' ? n : m[2] === 'm' ? n * 60_000 : n * 1000;
}
