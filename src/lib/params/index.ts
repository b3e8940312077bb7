/**
 * llama-server parameters: the catalogue, configuration checks, and launch commands.
 * Pure (no DOM, no I/O). Configurations are `{ args: Record<canonicalKey, value>, extraArgs }`.
 */
export type {
  ArgSpec, ArgType, ArgGroup, ArgValue, Catalogue, ConfigArgs, LaunchConfig, ConfigIssue, IssueFix,
} from './types.ts';
export { TOPICS, topicOf, topicKeys, type TopicId } from './topics.ts';
export { getCatalogue, findArg, getArg, matchAcross, searchArgs, ARG_GROUPS, type ArgMatch } from './catalogue.ts';
export { parseHelp, type ParseHelpOptions } from './parse-help.ts';
export { configToArgv, argvToConfig, flattenArgv, parseValue, valueText, type ArgvItem, type Word } from './argv.ts';
export { exportConfig } from './export/index.ts';
export { EXPORT_FORMATS, type ExportFormat, type ExportOptions, type ExportResult } from './export/types.ts';
export { importCommand, detectFormat, IMPORT_FORMATS, type ImportFormat } from './import/index.ts';
export type { ImportResult } from './import/command.ts';
export { stripDefaults, isDefaultValue, effectiveValue, diffArgs, type ArgDifference } from './defaults.ts';
export { validateConfig, type ValidateOptions } from './validate-config.ts';
export { validateValue } from './validate-value.ts';
export { SAMPLE_CONFIGS, type SampleConfig } from './samples.ts';
export { importSetup, detectSetupFormat, SETUP_FORMATS, type SetupFormat } from './setup/index.ts';
export type { SetupImport, SetupModel, SetupGroup, SetupExtras, SwapFields } from './setup/types.ts';
export { MAX_COMMAND_CHARS, MAX_FILE_CHARS } from './import/limits.ts';
export { exportSetup, type SetupConfig, type SetupExportFormat } from './setup/export.ts';
export { configsToJson, configsFromJson, type SharedConfig, type SharedConfigs } from './config-json.ts';
