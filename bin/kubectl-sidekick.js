#!/usr/bin/env node
import '../dist/kubectl-sidekick.js';
