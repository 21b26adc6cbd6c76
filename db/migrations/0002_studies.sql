CREATE TABLE `studies` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`template` text NOT NULL,
	`preset` text NOT NULL,
	`seeds` text NOT NULL,
	`dataset_id` text NOT NULL,
	`spec` text NOT NULL,
	`origin` text NOT NULL,
	`cancelled` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`dataset_id`) REFERENCES `datasets`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `study_nodes` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`study_id` text NOT NULL,
	`key` text NOT NULL,
	`spec` text NOT NULL,
	`depends_on` text NOT NULL,
	`state` text NOT NULL,
	`run_id` text,
	`reused` integer DEFAULT false NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`blocked_by` text,
	FOREIGN KEY (`study_id`) REFERENCES `studies`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `study_nodes_study_idx` ON `study_nodes` (`study_id`);--> statement-breakpoint
CREATE INDEX `study_nodes_run_idx` ON `study_nodes` (`run_id`);