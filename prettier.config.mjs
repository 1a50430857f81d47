// Prettier, fitted to the style the code was written in (single quotes, semicolons, trailing commas,
// long lines). printWidth 200 is the width that changed the fewest lines when the tree was first
// formatted (measured: 120 → ~13,000 changed lines, 160 → ~4,700, 180 → ~3,200, 190 → ~2,900,
// 200 → ~2,800, 220 → ~2,800 but joins more hand-wrapped lines). `npm run format` writes,
// `npm run format:check` checks (and `npm test` runs the check). Markdown is left alone: the docs are
// wrapped by hand and some are generated (see .prettierignore).
/** @type {import('prettier').Config} */
const config = {
  printWidth: 200,
  singleQuote: true,
  trailingComma: 'all',
  semi: true,
  arrowParens: 'always',
};

export default config;
