CREATE TABLE `alert_history` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`rule_id` text NOT NULL,
	`kind` text NOT NULL,
	`repeat` integer DEFAULT false NOT NULL,
	`reason` text NOT NULL,
	`severity` text NOT NULL,
	`metric` text NOT NULL,
	`comparator` text NOT NULL,
	`threshold` real NOT NULL,
	`window_minutes` integer NOT NULL,
	`value` real,
	`since` integer NOT NULL,
	`at` integer NOT NULL,
	`dedup_key` text NOT NULL,
	`delivery` text NOT NULL,
	`status_code` integer,
	`error` text
);
--> statement-breakpoint
CREATE INDEX `alert_history_at_idx` ON `alert_history` (`at`);--> statement-breakpoint
CREATE INDEX `alert_history_rule_at_idx` ON `alert_history` (`rule_id`,`at`);--> statement-breakpoint
CREATE TABLE `alert_rules` (
	`id` text PRIMARY KEY NOT NULL,
	`description` text,
	`metric` text NOT NULL,
	`comparator` text NOT NULL,
	`threshold` real NOT NULL,
	`window_minutes` integer NOT NULL,
	`severity` text NOT NULL,
	`cooldown_minutes` integer NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`builtin` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `alert_states` (
	`rule_id` text PRIMARY KEY NOT NULL,
	`status` text NOT NULL,
	`since` integer,
	`pending_since` integer,
	`last_notified_at` integer,
	`last_value` real,
	`last_evaluated_at` integer,
	`version` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE `capacity_hours` (
	`hour` integer PRIMARY KEY NOT NULL,
	`requests` integer NOT NULL,
	`latency_ms_sum` real NOT NULL,
	`region_requests` text NOT NULL,
	`recorded_at` integer NOT NULL
);
