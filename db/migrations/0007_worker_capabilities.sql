ALTER TABLE `workers` ADD `device` text;--> statement-breakpoint
ALTER TABLE `workers` ADD `gpu` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `workers` ADD `memory_mb` integer;--> statement-breakpoint
ALTER TABLE `workers` ADD `threads` integer;--> statement-breakpoint
ALTER TABLE `workers` ADD `concurrency` integer;--> statement-breakpoint
ALTER TABLE `workers` ADD `kind` text DEFAULT 'local' NOT NULL;--> statement-breakpoint
ALTER TABLE `workers` ADD `drained_at` integer;