CREATE TABLE `datasets` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`kind` text NOT NULL,
	`content_hash` text NOT NULL,
	`image_size` integer NOT NULL,
	`count` integer NOT NULL,
	`class_counts` text NOT NULL,
	`dir` text NOT NULL,
	`splits` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `datasets_name_unique` ON `datasets` (`name`);--> statement-breakpoint
CREATE TABLE `metric_points` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`run_id` text NOT NULL,
	`step` integer NOT NULL,
	`epoch` real NOT NULL,
	`name` text NOT NULL,
	`value` real NOT NULL,
	FOREIGN KEY (`run_id`) REFERENCES `runs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `metric_points_run_idx` ON `metric_points` (`run_id`,`id`);--> statement-breakpoint
CREATE TABLE `results` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`run_id` text NOT NULL,
	`dataset_id` text NOT NULL,
	`model` text NOT NULL,
	`technique` text NOT NULL,
	`train_data` text NOT NULL,
	`seed` integer NOT NULL,
	`metric` text NOT NULL,
	`value` real NOT NULL,
	FOREIGN KEY (`run_id`) REFERENCES `runs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `results_cell_idx` ON `results` (`model`,`technique`,`train_data`,`metric`);--> statement-breakpoint
CREATE TABLE `run_images` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`run_id` text NOT NULL,
	`step` integer NOT NULL,
	`kind` text NOT NULL,
	`file` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`run_id`) REFERENCES `runs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `run_logs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`run_id` text NOT NULL,
	`ts` integer NOT NULL,
	`level` text NOT NULL,
	`message` text NOT NULL,
	FOREIGN KEY (`run_id`) REFERENCES `runs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `run_logs_run_idx` ON `run_logs` (`run_id`,`id`);--> statement-breakpoint
CREATE TABLE `runs` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`model` text NOT NULL,
	`preset` text NOT NULL,
	`seed` integer NOT NULL,
	`train_data` text NOT NULL,
	`dataset_id` text NOT NULL,
	`config` text NOT NULL,
	`status` text NOT NULL,
	`origin` text NOT NULL,
	`backend` text,
	`worker_id` text,
	`progress` real DEFAULT 0 NOT NULL,
	`error` text,
	`summary` text,
	`created_at` integer NOT NULL,
	`started_at` integer,
	`finished_at` integer,
	FOREIGN KEY (`dataset_id`) REFERENCES `datasets`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `runs_status_idx` ON `runs` (`status`,`created_at`);--> statement-breakpoint
CREATE TABLE `workers` (
	`id` text PRIMARY KEY NOT NULL,
	`pid` integer NOT NULL,
	`host` text NOT NULL,
	`backend` text NOT NULL,
	`connected_at` integer NOT NULL,
	`last_seen` integer NOT NULL,
	`disconnected_at` integer
);
