/** The engines every contract scenario runs against. */
import { containerdEngine, nerdctlEngine } from '../helpers/containerd-engine.js';
import { dockerEngine, podmanEngine, type TestEngine } from '../helpers/engines.js';

export const ENGINES: TestEngine[] = [dockerEngine, podmanEngine, containerdEngine, nerdctlEngine].filter((e) => !process.env.SIDEKICK_TEST_ENGINES || process.env.SIDEKICK_TEST_ENGINES.split(',').includes(e.name));
