CREATE TABLE `cache_entries` (
	`lookup_key` text PRIMARY KEY NOT NULL,
	`namespace` text NOT NULL,
	`program_key` text NOT NULL,
	`tags` text NOT NULL,
	`result` text NOT NULL,
	`request` text NOT NULL,
	`size_bytes` integer NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `cache_entries_program_idx` ON `cache_entries` (`namespace`,`program_key`);--> statement-breakpoint
CREATE INDEX `cache_entries_expires_idx` ON `cache_entries` (`expires_at`);--> statement-breakpoint
CREATE TABLE `cache_generations` (
	`scope` text NOT NULL,
	`tag` text NOT NULL,
	`generation` integer NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`scope`, `tag`)
);
--> statement-breakpoint
CREATE TABLE `cache_hits` (
	`namespace` text NOT NULL,
	`program_key` text NOT NULL,
	`window_start` integer NOT NULL,
	`window_hits` integer NOT NULL,
	`previous_hits` integer DEFAULT 0 NOT NULL,
	`total_hits` integer NOT NULL,
	`last_hit_at` integer NOT NULL,
	PRIMARY KEY(`namespace`, `program_key`)
);
--> statement-breakpoint
CREATE INDEX `cache_hits_window_idx` ON `cache_hits` (`window_start`);--> statement-breakpoint
CREATE TABLE `cache_stats` (
	`tenant_id` text NOT NULL,
	`day` text NOT NULL,
	`metric` text NOT NULL,
	`count` integer NOT NULL,
	PRIMARY KEY(`tenant_id`, `day`, `metric`)
);
--> statement-breakpoint
ALTER TABLE `tenants` ADD `cache_shared` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `tenants` ADD `cache_swr_seconds` integer DEFAULT 0 NOT NULL;