/** Durations as users type them on the command line. */
import { UserError } from './errors.js';

/** "30s", "2m", "500ms", "1m30s" or plain seconds, in milliseconds; `flag` names the option in the error. */
export function parseDuration(text: string, flag = '--timeout'): number {
  const parts = [...text.trim().matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)?/g)];
  const whole = parts.map((p) => p[0]).join('');
  if (parts.length === 0 || whole !== text.trim() || (parts.length > 1 && parts.some((p) => !p[2]))) {
    throw new UserError(`bad ${flag} "${text}"`, { hint: 'use a duration such as 30s, 2m or 500ms', kind: 'invalid' });
  }
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
  return parts.reduce((sum, p) => sum + Number(p[1]) * unit[(p[2] ?? 's') as keyof typeof unit], 0);
}
