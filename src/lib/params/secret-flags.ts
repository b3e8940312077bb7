/**
 * Every spelling of the built-in catalogue's secret arguments (ArgSpec.secret), plus --api-key-file,
 * which is no key but says where one lives. Written out so that the worker can strip them from an
 * export without loading the catalogue (12 kB gzip); a test keeps it equal to the catalogue.
 */
export const SECRET_FLAGS: readonly string[] = ['--api-key', '--api-key-file', '--hf-token', '-hft'];
