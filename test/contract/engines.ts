/** The engines every contract scenario runs against; nerdctl twice (its bridge, --net none) where it is built. */
import { containerdEngine } from '../helpers/containerd-engine.js';
import { dockerEngine, podmanEngine, type TestEngine } from '../helpers/engines.js';
import { nerdctlColumns } from '../helpers/nerdctl-engine.js';

export const ENGINES: TestEngine[] = [dockerEngine, podmanEngine, containerdEngine, ...nerdctlColumns()].filter((e) => !process.env.SIDEKICK_TEST_ENGINES || process.env.SIDEKICK_TEST_ENGINES.split(',').includes(e.name));
