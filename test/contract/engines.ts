/** The engines every contract scenario runs against. */
import { dockerEngine, type TestEngine } from '../helpers/engines.js';

export const ENGINES: TestEngine[] = [dockerEngine];
