// ESLint (flat config): Next's rules (core-web-vitals) and typescript-eslint's recommended set.
// `npm run lint` checks (cached in node_modules/.cache/eslint), `npm run lint -- --fix` fixes what
// can be fixed; `npm test` runs it. Zero errors and zero warnings: a rule that is noise here is
// turned off below with its reason, a single deliberate exception is an eslint-disable comment
// with its reason on the line above.
import { defineConfig, globalIgnores } from 'eslint/config';
import nextVitals from 'eslint-config-next/core-web-vitals';
import nextTs from 'eslint-config-next/typescript';
import tseslint from 'typescript-eslint';

export default defineConfig([
  globalIgnores(['lib/generated/**', '.next/**', '.leash/**', '.leash-*/**', 'node_modules/**', 'next-env.d.ts', 'test-results/**', 'playwright-report/**', 'bench-results/**']),
  ...nextVitals,
  ...nextTs,
  ...tseslint.configs.recommended,
  {
    rules: {
      // A leading underscore marks a value left out on purpose (`const { secret: _secret, ...rest } = row`,
      // a handler's unused `_request`), as TypeScript's own noUnused* options treat it.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
]);
