#!/usr/bin/env node
require('../dist/kubectl-sidekick.js');
