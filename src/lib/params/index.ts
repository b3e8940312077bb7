/**
 * llama-server parameters: the catalogue, configuration checks, and launch commands.
 * Pure (no DOM, no I/O). Configurations are `{ args: Record<canonicalKey, value>, extraArgs }`.
 */
export type {
  ArgSpec, ArgType, ArgGroup, ArgValue, Catalogue, ConfigArgs, LaunchConfig, ConfigIssue, IssueFix,
} from './types';
export { TOPICS, topicOf, topicKeys, type TopicId } from './topics';
export { getCatalogue, findArg, getArg, matchAcross, searchArgs, ARG_GROUPS, type ArgMatch } from './catalogue';
export { parseHelp, type ParseHelpOptions } from './parse-help';
export { configToArgv, argvToConfig, flattenArgv, parseValue, valueText, type ArgvItem, type Word } from './argv';
export { exportConfig } from './export/index';
export { EXPORT_FORMATS, type ExportFormat, type ExportOptions, type ExportResult } from './export/types';
export { importCommand, detectFormat, IMPORT_FORMATS, type ImportFormat } from './import/index';
export type { ImportResult } from './import/command';
export { stripDefaults, isDefaultValue, effectiveValue, diffArgs, type ArgDifference } from './defaults';
export { validateConfig, type ValidateOptions } from './validate-config';
export { validateValue } from './validate-value';
export { SAMPLE_CONFIGS, type SampleConfig } from './samples';
export { importSetup, detectSetupFormat, SETUP_FORMATS, type SetupFormat } from './setup/index';
export type { SetupImport, SetupModel, SetupGroup, SetupExtras, SwapFields } from './setup/types';
export { MAX_COMMAND_CHARS, MAX_FILE_CHARS } from './import/limits';
export { exportSetup, type SetupConfig, type SetupExportFormat } from './setup/export';
export { configsToJson, configsFromJson, type SharedConfig, type SharedConfigs } from './config-json';
