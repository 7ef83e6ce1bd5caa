/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.tsx?$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
    // Graphviz (the architecture diagram) ships as an ES module only; jest's module system loads CommonJS.
    '/node_modules/@hpcc-js/.+\\.js$': ['@swc/jest', { jsc: { parser: { syntax: 'ecmascript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!@hpcc-js/)'],
  // The demo and the tests import the library by its package name, as a consumer does; here that is the source.
  moduleNameMapper: {
    '^msa-platform-blueprint$': '<rootDir>/constructs/index.ts',
    '^msa-platform-blueprint/runtime$': '<rootDir>/runtime/index.ts',
    '^msa-platform-blueprint/runtime/container$': '<rootDir>/runtime/container/index.ts',
    '^msa-platform-blueprint/gates$': '<rootDir>/constructs/gates/index.ts',
    '^msa-platform-blueprint/pulumi$': '<rootDir>/constructs/pulumi/index.ts',
  },
  // Synthesis is CPU-bound; two workers match this machine's two cores.
  maxWorkers: 2,
  testTimeout: 60000,
};
