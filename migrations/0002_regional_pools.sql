CREATE TABLE `backends` (
	`id` text PRIMARY KEY NOT NULL,
	`region_id` text NOT NULL,
	`kind` text NOT NULL,
	`url` text,
	`weight` integer DEFAULT 1 NOT NULL,
	`max_concurrency` integer NOT NULL,
	`min_concurrency` integer DEFAULT 1 NOT NULL,
	`languages` text DEFAULT '[]' NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`runtimes` text DEFAULT '[]' NOT NULL,
	`healthy` integer,
	`last_checked_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`region_id`) REFERENCES `regions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `backends_region_idx` ON `backends` (`region_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `backends_one_builtin_per_region_idx` ON `backends` (`region_id`) WHERE "kind" = 'builtin';--> statement-breakpoint
CREATE TABLE `regions` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`latitude` real NOT NULL,
	`longitude` real NOT NULL,
	`location_hint` text,
	`countries` text DEFAULT '[]' NOT NULL,
	`continents` text DEFAULT '[]' NOT NULL,
	`policy` text DEFAULT 'least_connections' NOT NULL,
	`session_failover` text DEFAULT 'temporary' NOT NULL,
	`affinity_ttl_seconds` integer DEFAULT 1800 NOT NULL,
	`is_default` integer DEFAULT false NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `regions_one_default_idx` ON `regions` (`is_default`) WHERE "is_default" = 1;