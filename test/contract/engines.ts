/** The engines every contract scenario runs against. */
import { dockerEngine, podmanEngine, type TestEngine } from '../helpers/engines.js';

export const ENGINES: TestEngine[] = [dockerEngine, podmanEngine].filter((e) => !process.env.SIDEKICK_TEST_ENGINES || process.env.SIDEKICK_TEST_ENGINES.split(',').includes(e.name));
