// @jupyterlab/builder reads JupyterLab's core package (the shared singletons and their
// versions) from <core-path>/package.json; @jupyterlab/core-meta ships that data as
// core.package.json. Put it where the builder looks, so the build needs no Python.
const fs = require('fs');
const path = require('path');

const source = path.join(
  __dirname,
  '..',
  'node_modules',
  '@jupyterlab',
  'core-meta',
  'core.package.json'
);
const target = path.join(__dirname, '..', '.core');
fs.mkdirSync(target, { recursive: true });
fs.copyFileSync(source, path.join(target, 'package.json'));
