export { run } from "./main.js";
export { migrate, MIGRATE_HELP } from "./cli.js";
export { migrateSource, type CallSiteOptions, type SiteOutcome } from "./call-sites/migrate-source.js";
export { runMigration, type MigrateOptions, type MigrationResult, type FileReport } from "./migrate/run-migration.js";
