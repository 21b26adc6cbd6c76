ALTER TABLE `datasets` ADD `source` text;--> statement-breakpoint
ALTER TABLE `datasets` ADD `duplicate_groups` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `datasets` ADD `anomaly_splits` text;--> statement-breakpoint
ALTER TABLE `datasets` ADD `lineage` text;