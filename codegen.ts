import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Typed documents for the operations the tests send (test/operations/*.graphql), generated from the
 * committed schema.graphql: `npm run codegen`. A test fails when the generated file is stale.
 */
const config: CodegenConfig = {
  schema: 'schema.graphql',
  documents: ['test/operations/**/*.graphql'],
  generates: {
    'test/generated/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        scalars: { Long: 'string', DateTime: 'string', Upload: 'File', JSON: 'unknown' },
        useTypeImports: true,
        enumsAsTypes: true,
      },
    },
  },
  emitLegacyCommonJSImports: false,
};

export default config;
