#!/usr/bin/env node
// CommonJS (bin/package.json): no ES module loader to start before the CLI
require('../dist/boot.js');
